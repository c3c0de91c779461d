namespace McpEgress.Daemon;

/// <summary>What part of the daemon could not start (the CLI maps it to an exit code).</summary>
public enum WatchStartupFailure
{
    /// <summary>The events file cannot be created or appended to.</summary>
    Output,
    /// <summary>The metrics address cannot be listened on (in use, not local, no permission).</summary>
    Metrics,
    /// <summary>An interface or the filter cannot be opened (unknown interface, bad BPF, no CAP_NET_RAW, no libpcap).</summary>
    Capture,
}

/// <summary>The daemon could not start; <see cref="Exception.Message"/> is one line saying what and why.</summary>
public sealed class WatchStartupException(WatchStartupFailure failure, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public WatchStartupFailure Failure { get; } = failure;
}
