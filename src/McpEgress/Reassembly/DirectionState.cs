namespace McpEgress.Reassembly;

/// <summary>
/// One direction of a flow. Positions are 64-bit stream offsets (0 = the first data byte), so the 32-bit sequence
/// wraparound is handled in exactly one place, <see cref="OffsetOf"/>. A struct stored inside its
/// <see cref="FlowState"/> (reached by <c>ref</c>), so a tracked flow is one object, not three.
/// </summary>
internal struct DirectionState
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

    /// <summary>Only meaningful before <see cref="Initialize"/>, so it shares <see cref="BaseSeq"/>'s storage.</summary>
    public uint AckHint
    {
        readonly get => BaseSeq;
        set => BaseSeq = value;
    }

    /// <summary>The peer acknowledged up to <see cref="AckedBeyond"/>, above <see cref="Next"/>: a hole the capture missed.</summary>
    public bool AckHolePending { get; set; }
    public long AckHoleSinceSegment { get; set; }
    public long AckHoleNextAtStart { get; set; }
    public long AckedBeyond { get; set; }

    /// <summary>
    /// The last delivered bytes, as a ring: the byte at stream offset o is at <c>o % History.Length</c>. Valid for
    /// offsets from <see cref="HistoryStart"/> (raised past every gap) and within History.Length of <see cref="Next"/>.
    /// Allocated at the first delivered byte, as small as those bytes need (an idle flow that sent one short line holds
    /// that line, not the full window), and the next time straight at the configured size, from the reassembler's
    /// <see cref="HistoryRingPool"/> (to which <see cref="ReleaseHistory"/> gives it back when the flow closes).
    /// </summary>
    public byte[]? History { get; private set; }
    public long HistoryStart { get; private set; }

    /// <summary>Out-of-order data, created on first need.</summary>
    public OutOfOrderBuffer? Buffer { get; set; }

    public readonly bool HasBuffered => Buffer is { Count: > 0 };

    /// <summary>All data up to the FIN was delivered.</summary>
    public readonly bool Finished => FinSeen && Next >= FinOffset;

    public void Initialize(uint firstDataSeq)
    {
        Initialized = true;
        BaseSeq = firstDataSeq;
        Next = 0;
        HistoryStart = 0;
    }

    public readonly uint SeqOf(long offset) => unchecked(BaseSeq + (uint)offset);

    /// <summary>
    /// The offset of <paramref name="seq"/>, taken as the nearest one to <see cref="Next"/> (signed 32-bit distance,
    /// RFC 9293 §3.4 sequence arithmetic), which is right across the 2^32 wrap.
    /// </summary>
    public readonly long OffsetOf(uint seq) => Next + unchecked((int)(seq - SeqOf(Next)));

    /// <summary>The flow was bypassed or closed: its delivered bytes are never compared again, so the ring goes back.</summary>
    public void ReleaseHistory(HistoryRingPool pool)
    {
        pool.Return(History);
        History = null;
        HistoryStart = Next;
    }

    /// <summary><paramref name="missing"/> bytes at <see cref="Next"/> will never come: skip them.</summary>
    public void SkipGap(long missing)
    {
        Next += missing;
        HistoryStart = Next; // bytes before a gap are not comparable by offset
    }

    /// <summary>
    /// Keeps the tail of just delivered <paramref name="data"/> (it ends at <see cref="Next"/>) in the history ring of
    /// at most <paramref name="pool"/>'s ring size; 0 keeps nothing.
    /// </summary>
    public void Remember(ReadOnlySpan<byte> data, HistoryRingPool pool)
    {
        int capacity = pool.RingBytes;
        if (capacity <= 0 || data.IsEmpty) return;
        // Every delivered byte since HistoryStart is in the ring as long as it fits: grow before it would not.
        long needed = Math.Min(capacity, Next - HistoryStart);
        if (History is null || History.Length < needed) GrowHistory((int)needed, pool, Next - data.Length);
        var ring = History!;
        if (data.Length > ring.Length) data = data[^ring.Length..];
        Write(ring, Next - data.Length, data);
    }

    /// <summary>
    /// Whether <paramref name="data"/> (at <paramref name="offset"/>) differs from the delivered bytes it overlaps,
    /// as far as the history reaches; bytes older than the history are not compared.
    /// </summary>
    public readonly bool DiffersFromDelivered(long offset, ReadOnlySpan<byte> data)
    {
        if (History is not { } ring) return false;
        long from = Math.Max(offset, Math.Max(HistoryStart, Next - ring.Length));
        long to = Math.Min(offset + data.Length, Next);
        for (long o = from; o < to;)
        {
            int at = (int)(o % ring.Length);
            int n = (int)Math.Min(to - o, ring.Length - at);
            if (!data.Slice((int)(o - offset), n).SequenceEqual(ring.AsSpan(at, n))) return true;
            o += n;
        }
        return false;
    }

    /// <summary>A ring that holds <paramref name="needed"/> bytes, with the bytes delivered before <paramref name="end"/> moved over.</summary>
    private void GrowHistory(int needed, HistoryRingPool pool, long end)
    {
        // Exactly what is needed (in 8-byte steps) the first time, the full window (pooled) after that: a direction that
        // sent one short line holds just that line, a busy one takes a full ring in its second step.
        int old = History?.Length ?? 0;
        int capacity = pool.RingBytes;
        int size = old == 0 ? Math.Min(capacity, (needed + 7) & ~7) : capacity;
        var grown = size == capacity ? pool.Rent() : new byte[size];
        if (History is { } previous)
        {
            for (long o = Math.Max(HistoryStart, end - old); o < end;)
            {
                int at = (int)(o % old);
                int n = (int)Math.Min(end - o, old - at);
                Write(grown, o, previous.AsSpan(at, n));
                o += n;
            }
        }
        History = grown;
    }

    /// <summary>Copies <paramref name="data"/> (at most ring.Length bytes) into the ring at stream offset <paramref name="offset"/>.</summary>
    private static void Write(byte[] ring, long offset, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int at = (int)(offset % ring.Length);
            int n = Math.Min(data.Length, ring.Length - at);
            data[..n].CopyTo(ring.AsSpan(at));
            data = data[n..];
            offset += n;
        }
    }
}
