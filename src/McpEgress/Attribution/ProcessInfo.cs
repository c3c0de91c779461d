namespace McpEgress.Attribution;

/// <summary>
/// Who owns a local TCP socket. Every member but <see cref="SocketInode"/> may be missing: the process may have
/// exited, or the daemon may lack the right to read another user's /proc/PID/fd and exe (then only the socket's
/// uid from /proc/net/tcp is known, and <see cref="Pid"/> is null).
/// </summary>
public sealed record ProcessInfo
{
    public int? Pid { get; init; }
    public ulong SocketInode { get; init; }
    /// <summary>/proc/PID/exe target, e.g. "/usr/bin/node"; null when unreadable.</summary>
    public string? Executable { get; init; }
    /// <summary>/proc/PID/cmdline with NULs as spaces, cut at <see cref="ProcessResolverOptions.MaxCommandLineBytes"/>.</summary>
    public string? CommandLine { get; init; }
    public bool CommandLineTruncated { get; init; }
    /// <summary>Effective uid (the process's when readable, else the socket's).</summary>
    public uint? Uid { get; init; }
    public string? UserName { get; init; }
    /// <summary>For Node and Python processes: the script from argv, resolved through symlinks (node_modules/.bin, venv/bin).</summary>
    public string? ScriptPath { get; init; }
    /// <summary>Who sends (<see cref="SenderIdentityResolver"/>): npm package, PyPI distribution, else the executable.</summary>
    public SenderIdentity? Sender { get; init; }
    /// <summary>
    /// The package of <see cref="Sender"/> when it names one: the npm package owning <see cref="ScriptPath"/> ("name" of the
    /// nearest package.json that has one) or the PyPI distribution (METADATA Name).
    /// </summary>
    public string? PackageName { get; init; }
    public string? PackageVersion { get; init; }

    /// <summary>"evil-postmark-mcp@1.0.16", or null.</summary>
    public string? Package => PackageName is null ? null : PackageVersion is null ? PackageName : $"{PackageName}@{PackageVersion}";
}
