namespace McpEgress.Attribution;

/// <summary>Limits and tuning of a <see cref="ProcessResolver"/>.</summary>
public sealed class ProcessResolverOptions
{
    /// <summary>
    /// Shortest time between two full scans of every /proc/PID/fd (the costly step: one readlink per open file
    /// on the host). Between full scans a miss only scans processes not seen before and recently matched ones,
    /// which is what catches a freshly started MCP server. Default 100 ms.
    /// </summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Described processes kept (validated by start time against PID reuse). Default 4096.</summary>
    public int MaxCachedProcesses { get; init; } = 4096;

    /// <summary>Socket inode → PID entries kept between scans. Default 262 144 (~10 MB).</summary>
    public int MaxCachedSockets { get; init; } = 262_144;

    /// <summary>Bytes of /proc/PID/cmdline kept in <see cref="ProcessInfo.CommandLine"/>. Default 4096.</summary>
    public int MaxCommandLineBytes { get; init; } = 4096;

    /// <summary>Open files looked at per process in one scan. Default 65 536.</summary>
    public int MaxFdsPerProcess { get; init; } = 65_536;

    /// <summary>Directories walked up from a Node script looking for a named package.json. Default 16.</summary>
    public int MaxPackageJsonDepth { get; init; } = 16;

    /// <summary>Largest package.json read. Default 1 MiB.</summary>
    public int MaxPackageJsonBytes { get; init; } = 1 << 20;

    /// <summary>Directory → package results kept. Default 4096.</summary>
    public int MaxCachedPackageDirectories { get; init; } = 4096;

    /// <summary>Root of procfs (tests and containers may point elsewhere). Default "/proc".</summary>
    public string ProcRoot { get; init; } = "/proc";

    /// <summary>User database for uid → name. Default "/etc/passwd".</summary>
    public string PasswdPath { get; init; } = "/etc/passwd";
}
