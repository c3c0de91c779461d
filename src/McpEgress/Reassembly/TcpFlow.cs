namespace McpEgress.Reassembly;

/// <summary>
/// One TCP connection as seen by the reassembler. The protocol layer hangs its per-flow parser on
/// <see cref="ProtocolState"/>; the reassembler never looks at it.
/// </summary>
public sealed class TcpFlow
{
    // Inline per-direction counters: a tracked flow costs no extra arrays (a flood holds tens of thousands at once).
    private DirectionCounters _delivered;
    private DirectionCounters _gaps;

    public TcpFlow(long id, FlowKey key, long firstSeenNs, bool pickedUpMidStream)
    {
        Id = id;
        Key = key;
        FirstSeenNs = firstSeenNs;
        LastSeenNs = firstSeenNs;
        PickedUpMidStream = pickedUpMidStream;
    }

    /// <summary>
    /// Unique within one pipeline run: the number of the packet that opened the flow when the pipeline numbers its
    /// packets (<see cref="TcpReassembler.PacketNumber"/>), else sequential.
    /// </summary>
    public long Id { get; }

    /// <summary>
    /// Where the flow stands in the reassembler's time-ordered lists: the number of the packet that last moved it to
    /// the end of the open list, or (with <see cref="TcpReassembler.LingerOrderBit"/>) that put it on the linger list.
    /// Flows time out in this order; a sharded pipeline orders what they emit by it (0 when packets are not numbered).
    /// </summary>
    public long OrderStamp { get; internal set; }

    public FlowKey Key { get; }
    public long FirstSeenNs { get; }
    public long LastSeenNs { get; set; }

    /// <summary>No SYN was seen: the capture started inside the connection, and client/server were guessed.</summary>
    public bool PickedUpMidStream { get; }

    /// <summary>Bytes delivered in order to the handler, per direction (index by <see cref="FlowDirection"/>).</summary>
    public ReadOnlySpan<long> DeliveredBytes => _delivered;

    /// <summary>Bytes declared missing (gaps), per direction.</summary>
    public ReadOnlySpan<long> GapBytes => _gaps;

    /// <summary>Owned by the protocol layer.</summary>
    public object? ProtocolState { get; set; }

    internal void AddDelivered(int direction, long bytes) => _delivered[direction] += bytes;

    internal void AddGap(int direction, long bytes) => _gaps[direction] += bytes;
}
