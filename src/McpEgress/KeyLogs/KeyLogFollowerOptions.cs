namespace McpEgress.KeyLogs;

/// <summary>Limits and tuning of a <see cref="KeyLogFollower"/>.</summary>
public sealed class KeyLogFollowerOptions
{
    /// <summary>
    /// How often every file is checked for growth, truncation and replacement. A FileSystemWatcher event only
    /// brings the next check forward (inotify can overflow or be unavailable; polling is what counts).
    /// Default 200 ms.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Use FileSystemWatcher on the followed directories as a hint. Default true.</summary>
    public bool UseFileSystemWatcher { get; init; } = true;

    /// <summary>Most files followed; further glob matches are ignored (anomaly <c>keylog_too_many_files</c>). Default 256.</summary>
    public int MaxFiles { get; init; } = 256;

    /// <summary>Bytes read per poll over all files; the rest is read on the next polls. Default 8 MiB.</summary>
    public long MaxBytesPerPoll { get; init; } = 8L << 20;

    /// <summary>Longest line kept across reads; longer lines are skipped (anomaly <c>keylog_line_too_long</c>). Default 4096.</summary>
    public int MaxLineBytes { get; init; } = 4096;

    /// <summary>
    /// Owners accepted without a <c>keylog_foreign_owner</c> warning, besides root and the daemon's own user
    /// (e.g. the uid an MCP client runs as, when the daemon reads that user's key log). Default none.
    /// </summary>
    public IReadOnlyCollection<uint> TrustedOwnerUids { get; init; } = [];
}
