namespace McpEgress.Reassembly;

/// <summary>The reassembler's private bookkeeping for one <see cref="TcpFlow"/>.</summary>
internal sealed class FlowState
{
    public FlowState(TcpFlow flow, ConnectionKey key)
    {
        Flow = flow;
        Key = key;
    }

    public TcpFlow Flow { get; }
    public ConnectionKey Key { get; }
    public FlowPhase Phase { get; set; }

    public DirectionState ClientToServer { get; } = new();
    public DirectionState ServerToClient { get; } = new();
    public DirectionState Direction(int index) => index == 0 ? ClientToServer : ServerToClient;

    /// <summary>The client's initial sequence number, when a SYN or SYN+ACK was seen (tells a retransmitted SYN from port reuse).</summary>
    public bool HasClientIsn { get; set; }
    public uint ClientIsn { get; set; }

    /// <summary>Segments seen on this flow (both directions); the clock for the ACK-above-hole grace.</summary>
    public long Segments { get; set; }

    /// <summary>Packet time the flow entered the linger list.</summary>
    public long LingerSinceNs { get; set; }

    // Links of the FlowList the state is on (active or linger).
    public FlowList? List { get; set; }
    public FlowState? Prev { get; set; }
    public FlowState? Next { get; set; }
}
