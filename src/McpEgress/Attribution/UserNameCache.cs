namespace McpEgress.Attribution;

/// <summary>
/// uid → user name from a passwd(5) file, reloaded when the file's modification time changes (checked at most
/// once a second). Users only in NSS sources other than the file (LDAP, sssd) have no name here.
/// </summary>
public sealed class UserNameCache
{
    private const int MaxUsers = 65_536;
    private readonly string _path;
    private readonly object _gate = new();
    private Dictionary<uint, string> _names = new();
    private DateTime _loadedStamp = DateTime.MinValue;
    private long _checkedAtMs = -1_000_000; // TickCount64 starts near 0; MinValue would overflow the subtraction

    public UserNameCache(string passwdPath = "/etc/passwd") => _path = passwdPath;

    public string? Lookup(uint uid)
    {
        lock (_gate)
        {
            long now = Environment.TickCount64;
            if (now - _checkedAtMs >= 1000)
            {
                _checkedAtMs = now;
                Reload();
            }
            return _names.TryGetValue(uid, out var name) ? name : null;
        }
    }

    private void Reload()
    {
        try
        {
            var stamp = File.GetLastWriteTimeUtc(_path);
            if (stamp == _loadedStamp) return;
            var names = new Dictionary<uint, string>();
            foreach (var line in File.ReadLines(_path))
            {
                // name:password:uid:gid:gecos:home:shell
                var parts = line.Split(':', 5);
                if (parts.Length < 4 || parts[0].Length == 0 || parts[0][0] == '#') continue;
                if (!uint.TryParse(parts[2], out uint uid)) continue;
                names.TryAdd(uid, parts[0]); // the first entry for a uid wins, as getpwuid does
                if (names.Count >= MaxUsers) break;
            }
            _names = names;
            _loadedStamp = stamp;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* keep what we had */ }
    }
}
