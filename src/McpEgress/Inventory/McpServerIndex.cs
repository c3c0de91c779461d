namespace McpEgress.Inventory;

/// <summary>
/// The inventoried servers looked up by a flow's process: by pid (a running server the inventory found), else by its
/// package name (a server started after the last refresh). Immutable: a refresh builds a new one and swaps it in, so
/// the pipeline thread reads it without a lock.
/// </summary>
public sealed class McpServerIndex
{
    public static McpServerIndex Empty { get; } = new([]);

    private readonly Dictionary<int, McpServerState> _byPid = [];
    private readonly Dictionary<string, McpServerState> _byPackage = new(StringComparer.Ordinal);

    public McpServerIndex(IEnumerable<McpServerState> servers)
    {
        foreach (var s in servers)
        {
            foreach (var pid in s.Pids) _byPid.TryAdd(pid, s);
            if (s.Package is { } p && s.PackageType is "npm" or "pypi") _byPackage.TryAdd(p, s);
        }
    }

    public int Count => _byPackage.Count + _byPid.Count;

    public McpServerState? Find(int? pid, string? package)
    {
        if (pid is int p && _byPid.TryGetValue(p, out var s)) return s;
        return package is not null && _byPackage.TryGetValue(package, out s) ? s : null;
    }
}
