namespace McpEgress.Export;

/// <summary>Options for <see cref="EcsEventWriter"/>.</summary>
public sealed class EcsWriterOptions
{
    /// <summary>
    /// Events are kept in one reused buffer and written to the stream when it holds this many bytes (default 64 KiB),
    /// at <see cref="EcsEventWriter.Flush"/> and at Dispose; each write holds whole lines only. 0 writes and flushes
    /// every event at once (one write per line).
    /// </summary>
    public int BufferBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// When set, a buffered event is written and the stream flushed at most this long after the event was ready, even
    /// if no other event follows (a timer), so a tailing shipper (Filebeat, Vector) sees it in time. Default null:
    /// only by size and at flush/exit (replay).
    /// </summary>
    public TimeSpan? MaxFlushDelay { get; init; }

    /// <summary>
    /// Addresses written per list in one event (email.to, email.bcc, rcpt_to, hidden_recipients...; default 1,000, like
    /// the alert's address list). A longer list is cut in the event, never in detection, and the event's
    /// <c>mcp_egress.truncated</c> says so (limit <c>export.max_addresses_per_event</c>).
    /// </summary>
    public int MaxAddressesPerEvent { get; init; } = 1000;

    /// <summary>Leave the stream open when the writer is disposed. Default false.</summary>
    public bool LeaveOpen { get; init; }
}
