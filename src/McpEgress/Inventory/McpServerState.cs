using System.Text;

namespace McpEgress.Inventory;

/// <summary>
/// What the daemon remembers of one inventoried server between refreshes: enough to export it (metric labels, ECS
/// fields) and to tell what changed. <see cref="Key"/> identifies the server across refreshes (client, config file,
/// project and name; for a server found only running, client and package), so a new version of the same entry is a
/// change, not a new server.
/// </summary>
public sealed record McpServerState
{
    public required string Key { get; init; }
    public required string Client { get; init; }
    public required string Name { get; init; }
    public string? ConfigFile { get; init; }
    public McpTransport Transport { get; init; }
    /// <summary>npm / PyPI name or image, null when unresolved.</summary>
    public string? Package { get; init; }
    public string? Version { get; init; }
    /// <summary>"npm", "pypi", "container", "executable"; null when unresolved.</summary>
    public string? PackageType { get; init; }
    public IReadOnlyList<int> Pids { get; init; } = [];
    public IReadOnlyList<AdvisoryMatch> Advisories { get; init; } = [];
    /// <summary>Writes TLS key logs the daemon reads (<see cref="KeyLogWiring"/>): from its config's env, or a running process's environment.</summary>
    public bool Instrumented { get; init; }

    /// <summary>The snapshot of <paramref name="r"/>; running processes' environments are read below <paramref name="procRoot"/>.</summary>
    public static McpServerState From(McpServerRecord r, string procRoot = "/proc")
    {
        var c = r.Configured;
        string key = c is not null
            ? string.Join('\0', r.Client, c.ConfigFile, c.Project ?? "", r.Name)
            : string.Join('\0', r.Client, "running", r.Package?.Name ?? r.Name);
        bool instrumented = c?.KeyLogWired == true || r.Running.Any(p => RunningWired(procRoot, p.Pid));
        return new McpServerState
        {
            Key = key, Client = r.Client, Name = r.Name, ConfigFile = c?.ConfigFile, Transport = r.Transport,
            Package = r.Package?.Name, Version = r.Package?.Version, PackageType = r.Package?.TypeName,
            Pids = r.Running.Select(p => p.Pid).Order().ToList(),
            Advisories = r.Advisories.ToList(), Instrumented = instrumented,
        };
    }

    /// <summary>The snapshots of a scan's servers by <see cref="Key"/> (the same name twice in one file gets "\0" + 2, 3, ...).</summary>
    public static Dictionary<string, McpServerState> ByKey(IEnumerable<McpServerRecord> records, string procRoot = "/proc")
    {
        var current = new Dictionary<string, McpServerState>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            var state = From(record, procRoot);
            string key = state.Key;
            for (int n = 2; current.ContainsKey(key); n++) key = state.Key + "\0" + n;
            current[key] = key == state.Key ? state : state with { Key = key };
        }
        return current;
    }

    /// <summary>The running process's environment (/proc/PID/environ: its owner or CAP_SYS_PTRACE) sets up key logging.</summary>
    private static bool RunningWired(string procRoot, int pid)
    {
        byte[] environ;
        try { environ = File.ReadAllBytes(Path.Combine(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "environ")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
        var names = new List<string>();
        string? nodeOptions = null;
        foreach (var entry in Encoding.UTF8.GetString(environ).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = entry.IndexOf('=');
            if (eq <= 0) continue;
            string name = entry[..eq];
            names.Add(name);
            if (name == KeyLogWiring.NodeOptions) nodeOptions = entry[(eq + 1)..];
        }
        return KeyLogWiring.IsWired(names, nodeOptions);
    }
}
