namespace McpEgress.State;

/// <summary>
/// The <c>state:</c> section: where the state database lives and how long it keeps rows. <see cref="Path"/> null means
/// "the command's default": <c>watch</c> uses <see cref="DefaultWatchPath"/>, <c>replay</c> and <c>inventory</c>
/// persist nothing.
/// </summary>
public sealed class StateOptions
{
    /// <summary>The daemon's default state file (systemd <c>StateDirectory=mcp-egress</c>).</summary>
    public const string DefaultWatchPath = "/var/lib/mcp-egress/state.db";

    /// <summary>The SQLite file; null: the command's default.</summary>
    public string? Path { get; set; }

    /// <summary>Rows not updated for this many days are deleted (at open and daily). Default 90.</summary>
    public int RetentionDays { get; set; } = 90;

    /// <summary>Writes waiting for the writer thread; when full the oldest is dropped and counted. Default 65,536.</summary>
    public int MaxQueuedWrites { get; set; } = 65_536;

    /// <summary>
    /// When the queue is full, the writing thread commits it itself instead of dropping the oldest write: for
    /// <c>replay</c> and <c>inventory</c>, where nothing is live to fall behind. The daemon drops (false).
    /// </summary>
    public bool WaitWhenFull { get; set; }

    /// <summary>How often the writer commits what is queued. Default 1 s.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a statement waits for a lock held by another process (another mcp-egress on the same file). Default 5 s.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public StateOptions Copy() => (StateOptions)MemberwiseClone();
}
