namespace McpEgress.Export;

/// <summary>Options for <see cref="EcsEventWriter"/>.</summary>
public sealed class EcsWriterOptions
{
    /// <summary>Flush the stream after every line, so a tailing shipper (Filebeat, Vector) sees events at once. Default true.</summary>
    public bool FlushEachLine { get; init; } = true;

    /// <summary>Leave the stream open when the writer is disposed. Default false.</summary>
    public bool LeaveOpen { get; init; }
}
