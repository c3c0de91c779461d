namespace McpEgress.Reassembly;

/// <summary>
/// One TCP connection as seen by the reassembler. The protocol layer hangs its per-flow parser on
/// <see cref="ProtocolState"/>; the reassembler never looks at it.
/// </summary>
public sealed class TcpFlow
{
    public TcpFlow(long id, FlowKey key, long firstSeenNs, bool pickedUpMidStream)
    {
        Id = id;
        Key = key;
        FirstSeenNs = firstSeenNs;
        LastSeenNs = firstSeenNs;
        PickedUpMidStream = pickedUpMidStream;
    }

    /// <summary>Sequential id, unique within one pipeline run.</summary>
    public long Id { get; }
    public FlowKey Key { get; }
    public long FirstSeenNs { get; }
    public long LastSeenNs { get; set; }

    /// <summary>No SYN was seen: the capture started inside the connection, and client/server were guessed.</summary>
    public bool PickedUpMidStream { get; }

    /// <summary>Bytes delivered in order to the handler, per direction (index by <see cref="FlowDirection"/>).</summary>
    public long[] DeliveredBytes { get; } = new long[2];

    /// <summary>Bytes declared missing (gaps), per direction.</summary>
    public long[] GapBytes { get; } = new long[2];

    /// <summary>Owned by the protocol layer.</summary>
    public object? ProtocolState { get; set; }
}
