namespace McpEgress.Reassembly;

/// <summary>
/// Limits and timers of <see cref="TcpReassembler"/>. Every limit is enforced before data is stored; when one is hit
/// the reassembler declares a gap or evicts a flow, reports an anomaly and carries on.
/// </summary>
public sealed class ReassemblyOptions
{
    /// <summary>
    /// Flows held in the table, including closed flows still lingering. Default 65 536: a busy mail relay rarely has
    /// more than a few thousand connections open; past the limit the least recently used flow is evicted.
    /// </summary>
    public int MaxFlows { get; set; } = 65_536;

    /// <summary>
    /// Out-of-order bytes held per direction while waiting for a hole to fill. Default 1 MiB: more than a typical
    /// receive window (64 KiB-1 MiB), so real reordering and retransmission never hit it. Past it the hole is
    /// declared a gap and the buffered data after it is delivered.
    /// </summary>
    public int MaxBufferedBytesPerDirection { get; set; } = 1 << 20;

    /// <summary>
    /// Out-of-order bytes held by all flows together. Default 256 MiB. Past it the flow that needs more declares its
    /// holes as gaps. (Buffers come from <see cref="System.Buffers.ArrayPool{T}"/>, so real memory can be up to about
    /// twice this.)
    /// </summary>
    public long MaxBufferedBytesTotal { get; set; } = 256L << 20;

    /// <summary>
    /// Last delivered bytes kept per direction, so a retransmission that rewrites data already handed on (a
    /// different <c>RCPT TO</c> under the same sequence numbers) is compared and reported as <c>overlap_differs</c>.
    /// Default 256 (a few SMTP command lines); older delivered bytes cannot be compared. The ring is allocated at a
    /// direction's first data as small as those bytes need (an idle flow that sent one short line holds just that line),
    /// then taken at full size from a pool of closed flows' rings; 65 536 busy flows hold at most 32 MiB. 0 turns the
    /// check off.
    /// </summary>
    public int DeliveredHistoryBytes { get; set; } = 256;

    /// <summary>
    /// Out-of-order pieces held per direction. Default 1024: 1 MiB of full-size (1460-byte) segments is ~720 pieces;
    /// the cap stops a flood of tiny segments from costing more bookkeeping than data.
    /// </summary>
    public int MaxSegmentsPerDirection { get; set; } = 1024;

    /// <summary>
    /// A flow with no packets for this long (in packet time) is closed with <see cref="FlowCloseReason.IdleTimeout"/>.
    /// Default 5 minutes, like Zeek's tcp_inactivity_timeout; SMTP servers time out idle clients after 5 minutes too
    /// (RFC 5321 §4.5.3.2.7).
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a closed flow stays in the table so late retransmissions and final ACKs are recognised instead of
    /// starting a bogus mid-stream flow; also how long a flow that saw both FINs waits for missing data before its
    /// holes are declared gaps. Default 10 s (Zeek waits 5 s; a few retransmission timeouts fit in 10 s).
    /// </summary>
    public TimeSpan ClosedFlowLinger { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// When the peer acknowledges data beyond a hole (it received bytes the capture never saw), the hole is declared
    /// a gap only after this many more segments of the flow, because capture reordering can put the ACK before the
    /// data. Default 8: reordering in captures is almost always within 1-3 packets. 0 declares at once.
    /// </summary>
    public int AckAboveHoleGraceSegments { get; set; } = 8;
}
