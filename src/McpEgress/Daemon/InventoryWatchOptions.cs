namespace McpEgress.Daemon;

/// <summary>
/// How <c>mcp-egress watch</c> keeps the host's MCP server inventory (the config's <c>inventory:</c> section,
/// <see cref="Config.InventorySection"/>): on or off, how often it is refreshed (and at every SIGHUP), which
/// advisory folders are matched, which homes are read.
/// </summary>
public sealed class InventoryWatchOptions
{
    /// <summary>Keep the inventory (<c>inventory.enabled</c>). Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between refreshes (<c>inventory.refresh_interval</c>). Default 5 min.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Folders of OSV advisory records added to the built-in set (<c>inventory.advisories</c>); read at start and at SIGHUP.</summary>
    public IReadOnlyList<string> Advisories { get; set; } = [];

    /// <summary>Home folders read (<c>inventory.homes</c>). Default (null): every /home/* and /root as root, else the daemon user's own.</summary>
    public IReadOnlyList<string>? Homes { get; set; }

    /// <summary>Look for running MCP servers in /proc (<c>inventory.processes</c>). Default true.</summary>
    public bool ScanProcesses { get; set; } = true;

    /// <summary>Where processes are read (tests point it at a fake /proc).</summary>
    public string ProcRoot { get; set; } = "/proc";

    public InventoryWatchOptions Clone() => (InventoryWatchOptions)MemberwiseClone();
}
