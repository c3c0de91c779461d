namespace McpEgress.Inventory;

/// <summary>Where and how far an inventory scan looks.</summary>
public sealed class InventoryOptions
{
    /// <summary>Home folders to read client configs from. Default: every /home/* and /root as root, else the user's own.</summary>
    public IReadOnlyList<string>? Homes { get; init; }

    /// <summary>Look for running MCP servers in <see cref="ProcRoot"/>. Default true.</summary>
    public bool ScanProcesses { get; init; } = true;

    /// <summary>Folders below a home searched for project config files (.mcp.json, .cursor/mcp.json ...). Default 4.</summary>
    public int MaxProjectDepth { get; init; } = 4;

    /// <summary>Folders looked at per home while searching projects (bounds the walk of a huge home). Default 20,000.</summary>
    public int MaxDirectoriesPerHome { get; init; } = 20_000;

    /// <summary>Largest config file read (Claude Code's ~/.claude.json holds history and grows). Default 16 MiB.</summary>
    public int MaxConfigBytes { get; init; } = 16 << 20;

    /// <summary>npx / uv / pipx cache entries looked at per package lookup. Default 512.</summary>
    public int MaxCacheEntries { get; init; } = 512;

    public string ProcRoot { get; init; } = "/proc";
    public string PasswdPath { get; init; } = "/etc/passwd";

    /// <summary>Global npm prefixes searched for installed packages (node_modules below each).</summary>
    public IReadOnlyList<string> GlobalNodeModules { get; init; } = ["/usr/local/lib/node_modules", "/usr/lib/node_modules"];

    /// <summary>System site-packages searched for python -m and console scripts.</summary>
    public IReadOnlyList<string> SystemPythonPrefixes { get; init; } = ["/usr/local", "/usr"];
}
