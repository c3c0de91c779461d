namespace McpEgress.Reassembly;

/// <summary>The reassembler's private bookkeeping for one <see cref="TcpFlow"/>.</summary>
internal sealed class FlowState
{
    private DirectionState _clientToServer;
    private DirectionState _serverToClient;

    public FlowState(TcpFlow flow) => Flow = flow;

    public TcpFlow Flow { get; }

    /// <summary>The flow's table key (computed, not stored: the flow key holds the same two endpoints).</summary>
    public ConnectionKey Key => new(Flow.Key.Client, Flow.Key.Server);

    public FlowPhase Phase { get; set; }

    public ref DirectionState ClientToServer => ref _clientToServer;

    /// <summary>The state of direction <paramref name="index"/> (a <see cref="FlowDirection"/>), to read and update in place.</summary>
    public ref DirectionState Direction(int index)
    {
        if (index == 0) return ref _clientToServer;
        return ref _serverToClient;
    }

    /// <summary>The client's initial sequence number, when a SYN or SYN+ACK was seen (tells a retransmitted SYN from port reuse).</summary>
    public bool HasClientIsn { get; set; }
    public uint ClientIsn { get; set; }

    /// <summary>Segments seen on this flow (both directions); the clock for the ACK-above-hole grace.</summary>
    public long Segments { get; set; }

    /// <summary>The flow's <see cref="TcpFlow.Verdict"/> as the reassembler last acted on it (and told its verdict sink).</summary>
    public FlowVerdict AppliedVerdict { get; set; }

    /// <summary>
    /// A bypassed flow whose packets the verdict sink drops before reassembly: sequence holes are bytes shed on purpose,
    /// counted as bypassed, never gaps.
    /// </summary>
    public bool Shed { get; set; }

    /// <summary>Packet time the flow entered the linger list.</summary>
    public long LingerSinceNs { get; set; }

    // Links of the FlowList the state is on: the active list while Open, the linger list after.
    public FlowState? Prev { get; set; }
    public FlowState? Next { get; set; }

    // The FlowTable's chain: the next state in this state's bucket, and the key's hash.
    public FlowState? NextInBucket;
    public int KeyHash { get; set; }
}
