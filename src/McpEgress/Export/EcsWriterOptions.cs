namespace McpEgress.Export;

/// <summary>Options for <see cref="EcsEventWriter"/>.</summary>
public sealed class EcsWriterOptions
{
    /// <summary>Flush the stream after every line, so a tailing shipper (Filebeat, Vector) sees events at once. Default true.</summary>
    public bool FlushEachLine { get; init; } = true;

    /// <summary>
    /// Addresses written per list in one event (email.to, email.bcc, rcpt_to, hidden_recipients...; default 1,000, like
    /// the alert's address list). A longer list is cut in the event, never in detection, and the event's
    /// <c>mcp_egress.truncated</c> says so (limit <c>export.max_addresses_per_event</c>).
    /// </summary>
    public int MaxAddressesPerEvent { get; init; } = 1000;

    /// <summary>Leave the stream open when the writer is disposed. Default false.</summary>
    public bool LeaveOpen { get; init; }
}
