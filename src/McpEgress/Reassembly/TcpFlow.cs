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
    private DirectionCounters _bypassed;

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

    /// <summary>
    /// Whether the flow's remaining bytes can still matter. Set by the protocol layer through <see cref="Keep"/> and
    /// <see cref="Bypass"/>; the reassembler reads it after each segment.
    /// </summary>
    public FlowVerdict Verdict { get; private set; }

    /// <summary>
    /// In-order bytes of a bypassed flow that the reassembler counted instead of delivering (per direction): what
    /// <see cref="DeliveredBytes"/> would have handed to the handler since <see cref="Bypass"/>.
    /// </summary>
    public ReadOnlySpan<long> BypassedBytes => _bypassed;

    /// <summary>The flow carries (or may carry) mail: under load its packets are never dropped first.</summary>
    public void Keep()
    {
        if (Verdict is FlowVerdict.Undecided or FlowVerdict.Expendable) Verdict = FlowVerdict.Keep;
    }

    /// <summary>Likely not mail (see <see cref="FlowVerdict.Expendable"/>): under load its packets are dropped first.</summary>
    public void MarkExpendable()
    {
        if (Verdict == FlowVerdict.Undecided) Verdict = FlowVerdict.Expendable;
    }

    /// <summary>
    /// Nothing more of this flow can produce a message, an alert or change its TLS session event: the reassembler stops
    /// delivering (and buffering) its bytes, only counting them in <see cref="BypassedBytes"/>, and live capture may
    /// drop its packets before the queue. Final; the handler still gets gaps and the close.
    /// </summary>
    public void Bypass() => Verdict = FlowVerdict.Bypass;

    internal void AddDelivered(int direction, long bytes) => _delivered[direction] += bytes;

    internal void AddBypassed(int direction, long bytes) => _bypassed[direction] += bytes;

    internal void AddGap(int direction, long bytes) => _gaps[direction] += bytes;
}
