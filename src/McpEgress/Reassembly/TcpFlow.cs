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

    /// <summary>Sequential id, unique within one pipeline run.</summary>
    public long Id { get; }
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
