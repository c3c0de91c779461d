namespace McpEgress.Reassembly;

/// <summary>
/// One direction of a flow. Positions are 64-bit stream offsets (0 = the first data byte), so the 32-bit sequence
/// wraparound is handled in exactly one place, <see cref="OffsetOf"/>.
/// </summary>
internal sealed class DirectionState
{
    public bool Initialized { get; private set; }

    /// <summary>Sequence number of stream offset 0.</summary>
    public uint BaseSeq { get; private set; }

    /// <summary>Next offset to deliver: everything before it was delivered or declared a gap.</summary>
    public long Next { get; set; }

    public bool FinSeen { get; set; }
    /// <summary>Offset the FIN occupies (= length of the stream).</summary>
    public long FinOffset { get; set; }

    /// <summary>Latest ACK from the peer seen before this direction sent anything (mid-stream start hint).</summary>
    public bool HasAckHint { get; set; }
    public uint AckHint { get; set; }

    /// <summary>The peer acknowledged up to <see cref="AckedBeyond"/>, above <see cref="Next"/>: a hole the capture missed.</summary>
    public bool AckHolePending { get; set; }
    public long AckHoleSinceSegment { get; set; }
    public long AckHoleNextAtStart { get; set; }
    public long AckedBeyond { get; set; }

    /// <summary>
    /// The last delivered bytes, as a ring: the byte at stream offset o is at <c>o % History.Length</c>. Valid for
    /// offsets from <see cref="HistoryStart"/> (raised past every gap) and within History.Length of <see cref="Next"/>.
    /// </summary>
    public byte[]? History { get; set; }
    public long HistoryStart { get; set; }

    /// <summary>Out-of-order data, created on first need.</summary>
    public OutOfOrderBuffer? Buffer { get; set; }

    public bool HasBuffered => Buffer is { Count: > 0 };

    /// <summary>All data up to the FIN was delivered.</summary>
    public bool Finished => FinSeen && Next >= FinOffset;

    public void Initialize(uint firstDataSeq)
    {
        Initialized = true;
        BaseSeq = firstDataSeq;
        Next = 0;
        HistoryStart = 0;
    }

    public uint SeqOf(long offset) => unchecked(BaseSeq + (uint)offset);

    /// <summary>
    /// The offset of <paramref name="seq"/>, taken as the nearest one to <see cref="Next"/> (signed 32-bit distance,
    /// RFC 9293 §3.4 sequence arithmetic), which is right across the 2^32 wrap.
    /// </summary>
    public long OffsetOf(uint seq) => Next + unchecked((int)(seq - SeqOf(Next)));
}
