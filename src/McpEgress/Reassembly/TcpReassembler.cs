// TCP reassembly: turns captured segments into one ordered byte stream per flow direction.
//
// Overlap policy: first-received bytes win (as in Zeek and most stream engines). Bytes already delivered are never
// changed; a later segment that overlaps held out-of-order data only contributes the bytes not held yet. When the
// overlapping bytes differ (an evasion attempt or a broken stack) the anomaly `overlap_differs` is reported. Overlaps
// with data already delivered are compared against the last DeliveredHistoryBytes delivered per direction (a small
// ring) and reported the same way — once per differing segment; overlaps with delivered bytes older than that cannot
// be compared and are dropped silently.
//
// Gap policy: a hole is declared (OnGap, then delivery resumes after it) only when the data cannot come any more or
// waiting would break a limit:
//   - the peer acknowledged bytes beyond the hole (it got them, the capture did not) and
//     AckAboveHoleGraceSegments more segments of the flow went by without the hole filling (`ack_above_hole`);
//   - the direction's out-of-order buffer (bytes or pieces) or the global buffer budget would overflow
//     (`out_of_order_buffer_full`): the holes before the earliest held data are declared until the segment fits;
//   - the flow closes (both FINs plus ClosedFlowLinger, RST, idle timeout, eviction, end of capture): every hole
//     before held data is declared, and so is a tail the peer acknowledged but the capture never saw.
// A segment far from the expected sequence (more than 2^30 ahead, the largest possible window) is dropped as bogus.
//
// Bypass (Suricata's flow bypass): once the protocol layer says a flow's remaining bytes cannot matter
// (TcpFlow.Bypass), its segments are still followed for sequence numbers, FIN, RST and idle time, so the flow closes
// when it would have and every gap is declared where it would have been, but in-order bytes are counted
// (TcpFlow.BypassedBytes) instead of handed to the handler, the delivered-bytes history is dropped, and out-of-order
// segments are held as ranges without their bytes. An optional IFlowVerdictSink hears of each verdict change and of
// the flow leaving the table, so live capture can shed a bypassed flow's packets before they are queued; a flow whose
// packets are shed ("Shed") has holes by design, so each hole (a segment ahead of the stream, an ACK above it, the
// tail at close) is counted as bypassed bytes and the stream jumps over it: nothing is held and no gap is declared.

using McpEgress.Decode;
using McpEgress.Diagnostics;

namespace McpEgress.Reassembly;

/// <summary>
/// Follows TCP connections and hands each direction to an <see cref="ITcpStreamHandler"/> as an ordered byte
/// stream, with gaps declared where data is missing. Single-threaded: one instance per capture (or per shard).
/// </summary>
/// <remarks>
/// Roles: the client is the sender of a SYN without ACK; a SYN+ACK alone makes its sender the server. Without a
/// handshake (<see cref="TcpFlow.PickedUpMidStream"/>) the server is guessed: the endpoint on a well-known port
/// (below 1024, or 2525/8080/8443); if both are, the lower port; if neither, the destination of the first packet.
/// A direction starts at its SYN's sequence + 1; mid-stream at the first segment seen in that direction, or at the
/// peer's earlier ACK if that is a little before it (so a reordered first segment is not lost).
/// Time is packet time: <see cref="Process"/> advances it, <see cref="AdvanceTime"/> can advance it between packets.
/// Handler calls happen inside <see cref="Process"/>, <see cref="AdvanceTime"/> and <see cref="CloseAll"/>; the
/// handler must not throw.
/// </remarks>
public sealed class TcpReassembler
{
    /// <summary>Largest window with window scaling (RFC 7323 §2.3): data further ahead than this is not believed.</summary>
    private const long MaxWindow = 1L << 30;

    private readonly ReassemblyOptions _options;
    private readonly ITcpStreamHandler _handler;
    private readonly IAnomalySink _anomalies;
    private readonly FlowTable _table = new();
    private readonly FlowList _active = new();   // Open flows, least recently used first.
    private readonly FlowList _linger = new();   // Closing and Closed flows, in the order they got there.
    private readonly HistoryRingPool _rings;
    private readonly long _idleNs;
    private readonly long _lingerNs;
    private long _nowNs = long.MinValue;
    private long _nextFlowId = 1;
    private int _unclosed;

    public TcpReassembler(ReassemblyOptions options, ITcpStreamHandler handler, IAnomalySink anomalies)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(anomalies);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFlows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBufferedBytesPerDirection, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBufferedBytesTotal, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSegmentsPerDirection, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.AckAboveHoleGraceSegments, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.IdleTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ClosedFlowLinger, TimeSpan.Zero);
        _options = options;
        _handler = handler;
        _anomalies = anomalies;
        _idleNs = options.IdleTimeout.Ticks * 100;
        _lingerNs = options.ClosedFlowLinger.Ticks * 100;
        _rings = new HistoryRingPool(options.DeliveredHistoryBytes);
    }

    /// <summary>Set on <see cref="TcpFlow.OrderStamp"/> of flows on the linger list: they time out after the open ones.</summary>
    public const long LingerOrderBit = 1L << 62;

    /// <summary>
    /// The number (1-based, in capture order) of the packet being processed, set by a pipeline that numbers its
    /// packets: a flow opened by it takes it as <see cref="TcpFlow.Id"/>, and <see cref="TcpFlow.OrderStamp"/> follows
    /// it. 0: flows get sequential ids.
    /// </summary>
    public long PacketNumber { get; set; }

    /// <summary>
    /// Called before a flow is retired (idle timeout, linger over, eviction, reused tuple, end of capture), before
    /// what it still buffers is delivered: a sharded pipeline orders the flow's last events by its
    /// <see cref="TcpFlow.OrderStamp"/>.
    /// </summary>
    public Action<TcpFlow>? Retiring { get; set; }

    /// <summary>Flows opened and not yet reported closed.</summary>
    public int ActiveFlows => _unclosed;

    /// <summary>Flows in the table, including closed ones still lingering.</summary>
    public int TrackedFlows => _table.Count;

    /// <summary>Out-of-order bytes held by all flows.</summary>
    public long BufferedBytes { get; private set; }

    public long Segments { get; private set; }
    /// <summary>Segments ignored because they had no flow and could not start one (bare ACK/FIN/RST).</summary>
    public long SegmentsWithoutFlow { get; private set; }
    /// <summary>Segments whose data was all delivered or held already.</summary>
    public long Retransmissions { get; private set; }
    public long OutOfOrderSegments { get; private set; }
    public long Gaps { get; private set; }
    public long GapBytes { get; private set; }
    public long DeliveredBytes { get; private set; }
    public long FlowsOpened { get; private set; }
    public long FlowsClosed { get; private set; }
    /// <summary>Flows pushed out because the table was full.</summary>
    public long Evictions { get; private set; }
    /// <summary>Segments of flows already bypassed (followed, their bytes not delivered).</summary>
    public long BypassedSegments { get; private set; }
    /// <summary>Payload bytes of <see cref="BypassedSegments"/>.</summary>
    public long BypassedBytes { get; private set; }

    /// <summary>Told of verdict changes and of flows leaving the table (live capture's bypass table); optional.</summary>
    public IFlowVerdictSink? VerdictSink { get; set; }

    public void Process(in TcpSegment segment)
    {
        Segments++;
        long ts = segment.TimestampNs;
        AdvanceTime(ts);

        var flags = segment.Flags;
        bool syn = (flags & TcpFlags.Syn) != 0, ack = (flags & TcpFlags.Ack) != 0;
        var key = new ConnectionKey(segment.Source, segment.Destination);

        if (_table.TryGetValue(key, out var state))
        {
            if (syn && !ack && StartsNewConnection(state, in segment))
            {
                if (state.Phase == FlowPhase.Open) Report(ReassemblyAnomalies.SynOnOpenFlow);
                // The tuple is reused: the old connection ended without us seeing it end.
                Retire(state, FlowCloseReason.Evicted, ts);
                state = null;
            }
            else if (state.Phase == FlowPhase.Closed)
            {
                HandleAfterClose(state, in segment);
                return;
            }
        }

        if (state is null)
        {
            // A bare ACK/FIN/RST cannot tell us anything about a stream we have not seen; a late one after the
            // linger must not start a bogus flow either.
            if (!syn && (segment.Payload.IsEmpty || (flags & TcpFlags.Rst) != 0))
            {
                SegmentsWithoutFlow++;
                return;
            }
            state = OpenFlow(in segment);
        }

        if (ts > state.Flow.LastSeenNs) state.Flow.LastSeenNs = ts;
        if (state.Phase == FlowPhase.Open)
        {
            _active.MoveToEnd(state);
            state.Flow.OrderStamp = PacketNumber;
        }
        if (state.AppliedVerdict == FlowVerdict.Bypass)
        {
            BypassedSegments++;
            BypassedBytes += segment.Payload.Length;
        }
        HandleSegment(state, in segment);
        if (state.Flow.Verdict != state.AppliedVerdict) ApplyVerdict(state);
    }

    /// <summary>Acts on a verdict the protocol layer gave during the last segment: frees what a bypassed flow no longer needs.</summary>
    private void ApplyVerdict(FlowState state)
    {
        var verdict = state.Flow.Verdict;
        state.AppliedVerdict = verdict;
        if (verdict == FlowVerdict.Bypass)
        {
            state.Direction(0).ReleaseHistory(_rings);
            state.Direction(1).ReleaseHistory(_rings);
        }
        if (VerdictSink?.OnVerdict(state.Flow.Key, verdict) == true && verdict == FlowVerdict.Bypass) state.Shed = true;
    }

    /// <summary>
    /// Moves packet time forward: closes flows idle for <see cref="ReassemblyOptions.IdleTimeout"/> and drops closed
    /// flows whose linger ran out. Only the heads of the two time-ordered lists are examined, so this is O(1) unless
    /// something expires. Time never moves backwards.
    /// </summary>
    public void AdvanceTime(long nowNs)
    {
        if (nowNs > _nowNs) _nowNs = nowNs;
        long now = _nowNs;
        while (_active.Head is { } idle && now - idle.Flow.LastSeenNs >= _idleNs)
            Retire(idle, FlowCloseReason.IdleTimeout, now);
        while (_linger.Head is { } old && now - old.LingerSinceNs >= _lingerNs)
            Retire(old, FlowCloseReason.Fin, now);
    }

    /// <summary>End of capture: delivers what is buffered (with gaps for holes) and closes every flow.</summary>
    public void CloseAll(long nowNs)
    {
        AdvanceTime(nowNs);
        long now = _nowNs;
        while (_active.Head is { } s) Retire(s, FlowCloseReason.EndOfCapture, now);
        // Closing flows saw both FINs: they ended by FIN, only their holes were still open.
        while (_linger.Head is { } s) Retire(s, FlowCloseReason.Fin, now);
    }

    private bool StartsNewConnection(FlowState state, in TcpSegment segment)
    {
        // Port reuse. After a RST even a SYN with the old ISN is a new attempt (the old one was refused).
        if (state.Phase == FlowPhase.Closed) return true;
        var flow = state.Flow;
        bool sameIsn = state.HasClientIsn && segment.Sequence == state.ClientIsn;
        if (state.Phase == FlowPhase.Closing || segment.Source == flow.Key.Client)
            return !sameIsn; // the same ISN is a retransmitted SYN
        // A SYN from the server side: simultaneous open (RFC 9293 §3.5) on a handshake flow; on a mid-stream flow our
        // role guess was wrong or the tuple is reused.
        return flow.PickedUpMidStream;
    }

    private FlowState OpenFlow(in TcpSegment segment)
    {
        var flags = segment.Flags;
        bool syn = (flags & TcpFlags.Syn) != 0, ack = (flags & TcpFlags.Ack) != 0;
        Endpoint client, server;
        bool midStream = !syn;
        if (syn && ack) { client = segment.Destination; server = segment.Source; }
        else if (syn) { client = segment.Source; server = segment.Destination; }
        else if (ServerGuess.DestinationIsServer(segment.Source, segment.Destination)) { client = segment.Source; server = segment.Destination; }
        else { client = segment.Destination; server = segment.Source; }

        while (_table.Count >= _options.MaxFlows) MakeRoom(segment.TimestampNs);

        var flow = new TcpFlow(PacketNumber > 0 ? PacketNumber : _nextFlowId++, new FlowKey(client, server), segment.TimestampNs, midStream)
        {
            OrderStamp = PacketNumber,
        };
        var state = new FlowState(flow);
        if (syn)
        {
            state.HasClientIsn = true;
            state.ClientIsn = ack ? unchecked(segment.Acknowledgment - 1) : segment.Sequence;
            if (ack) state.ClientToServer.Initialize(segment.Acknowledgment); // the SYN+ACK acks client ISN + 1
        }
        _table.Add(state);
        _active.AddLast(state);
        _unclosed++;
        FlowsOpened++;
        _handler.OnFlowOpened(flow);
        return state;
    }

    /// <summary>Frees one table slot: a lingering flow if there is one, else the least recently used open flow.</summary>
    private void MakeRoom(long ts)
    {
        if (_linger.Head is { } old)
        {
            Retire(old, FlowCloseReason.Fin, ts);
            return;
        }
        var victim = _active.Head!;
        Report(ReassemblyAnomalies.FlowTableFull);
        Evictions++;
        Retire(victim, FlowCloseReason.Evicted, ts);
    }

    private void HandleSegment(FlowState state, in TcpSegment segment)
    {
        state.Segments++;
        var flags = segment.Flags;
        bool syn = (flags & TcpFlags.Syn) != 0;
        long ts = segment.TimestampNs;
        int dir = segment.Source == state.Flow.Key.Client ? 0 : 1;
        ref var d = ref state.Direction(dir);
        ref var peer = ref state.Direction(1 - dir);

        // A SYN occupies one sequence number; its data (TCP Fast Open, RFC 7413) starts right after it.
        uint dataSeq = syn ? unchecked(segment.Sequence + 1) : segment.Sequence;
        if (!d.Initialized)
        {
            uint diff = unchecked(dataSeq - d.AckHint);
            // Mid-stream: if the peer already acknowledged a point a little before this segment, the bytes in between
            // are still to come (reordered) or lost; start there so they are not taken for old data.
            bool useHint = !syn && d.HasAckHint && diff > 0 && diff <= MaxWindow;
            d.Initialize(useHint ? d.AckHint : dataSeq);
        }

        if ((flags & TcpFlags.Ack) != 0) NoteAck(state, ref peer, segment.Acknowledgment);

        if ((flags & TcpFlags.Rst) != 0)
        {
            // RST data is a diagnostic text, not stream data (RFC 9293 §3.5.3).
            Close(state, FlowCloseReason.Reset, ts);
            return;
        }

        var payload = segment.Payload;
        long offset = d.OffsetOf(dataSeq);
        // A shed flow: the bytes before this segment were dropped on purpose (a bare FIN included, so it closes now).
        if (state.Shed && offset > d.Next && offset - d.Next <= MaxWindow && !(d.FinSeen && offset > d.FinOffset))
            Skip(state, dir, offset - d.Next);
        if (!payload.IsEmpty) ProcessData(state, dir, offset, payload, ts);

        if ((flags & TcpFlags.Fin) != 0 && !d.FinSeen)
        {
            d.FinSeen = true;
            d.FinOffset = Math.Max(offset + payload.Length, d.Next);
            if (d.AckedBeyond > d.FinOffset) d.AckedBeyond = d.FinOffset;
        }

        CheckAckHole(state, 0, ts);
        CheckAckHole(state, 1, ts);

        if (d.FinSeen && peer.FinSeen)
        {
            if (d.Finished && peer.Finished)
            {
                Close(state, FlowCloseReason.Fin, ts);
            }
            else if (state.Phase == FlowPhase.Open)
            {
                // Holes remain: wait up to ClosedFlowLinger for them before declaring gaps.
                state.Phase = FlowPhase.Closing;
                _active.Remove(state);
                state.LingerSinceNs = ts;
                state.Flow.OrderStamp = PacketNumber | LingerOrderBit;
                _linger.AddLast(state);
            }
        }
    }

    /// <summary>A segment for a flow already reported closed: recognised and dropped.</summary>
    private void HandleAfterClose(FlowState state, in TcpSegment segment)
    {
        if (segment.Payload.IsEmpty) return;
        int dir = segment.Source == state.Flow.Key.Client ? 0 : 1;
        ref var d = ref state.Direction(dir);
        uint dataSeq = (segment.Flags & TcpFlags.Syn) != 0 ? unchecked(segment.Sequence + 1) : segment.Sequence;
        if (d.Initialized && d.OffsetOf(dataSeq) + segment.Payload.Length <= d.Next)
        {
            Retransmissions++;
            return;
        }
        Report(ReassemblyAnomalies.DataAfterClose);
    }

    /// <summary>The peer acknowledged <paramref name="ack"/> in direction <paramref name="d"/>'s sequence space.</summary>
    private void NoteAck(FlowState state, ref DirectionState d, uint ack)
    {
        if (!d.Initialized)
        {
            d.HasAckHint = true;
            d.AckHint = ack;
            return;
        }
        long ahead = unchecked((int)(ack - d.SeqOf(d.Next)));
        if (ahead <= 0 || ahead > MaxWindow) return;
        long acked = d.Next + ahead;
        // The ACK of a FIN covers the FIN's own sequence number, which is no data.
        if (d.FinSeen && acked > d.FinOffset) acked = d.FinOffset;
        if (acked <= d.Next) return;
        if (!d.AckHolePending)
        {
            d.AckHolePending = true;
            d.AckHoleSinceSegment = state.Segments;
            d.AckHoleNextAtStart = d.Next;
        }
        if (acked > d.AckedBeyond) d.AckedBeyond = acked;
    }

    private void CheckAckHole(FlowState state, int dir, long ts)
    {
        ref var d = ref state.Direction(dir);
        if (!d.AckHolePending) return;
        if (d.Next >= d.AckedBeyond)
        {
            d.AckHolePending = false;
            return;
        }
        if (d.Next > d.AckHoleNextAtStart)
        {
            // Progress: the hole that was acked over is filled; a further one gets its own grace.
            d.AckHoleNextAtStart = d.Next;
            d.AckHoleSinceSegment = state.Segments;
        }
        if (state.Segments - d.AckHoleSinceSegment < _options.AckAboveHoleGraceSegments) return;
        Report(ReassemblyAnomalies.AckAboveHole);
        while (d.Next < d.AckedBeyond)
        {
            long holeEnd = d.HasBuffered ? Math.Min(d.AckedBeyond, d.Buffer!.First.Start) : d.AckedBeyond;
            Hole(state, dir, holeEnd - d.Next, ts);
            Deliver(state, dir, d.Next, ReadOnlySpan<byte>.Empty, ts);
        }
        d.AckHolePending = false;
    }

    private void ProcessData(FlowState state, int dir, long offset, ReadOnlySpan<byte> data, long ts)
    {
        ref var d = ref state.Direction(dir);
        long end = offset + data.Length;
        if (d.FinSeen && end > d.FinOffset)
        {
            Report(ReassemblyAnomalies.DataAfterFin);
            if (offset >= d.FinOffset) return;
            data = data[..(int)(d.FinOffset - offset)];
            end = d.FinOffset;
        }
        if (end <= d.Next)
        {
            Retransmissions++;
            CheckDelivered(in d, offset, data);
            return;
        }
        if (offset - d.Next > MaxWindow)
        {
            Report(ReassemblyAnomalies.SequenceOutOfWindow);
            return;
        }
        if (offset <= d.Next)
        {
            Deliver(state, dir, offset, data, ts);
            return;
        }
        OutOfOrderSegments++;
        Hold(state, dir, offset, data, ts);
    }

    /// <summary>
    /// Delivers <paramref name="data"/> (at <paramref name="offset"/> &lt;= Next) straight from the caller's span,
    /// interleaved with held chunks that cover parts of it (held bytes win), then every held chunk that became
    /// contiguous. With empty data it just drains what is contiguous.
    /// </summary>
    private void Deliver(FlowState state, int dir, long offset, ReadOnlySpan<byte> data, long ts)
    {
        ref var d = ref state.Direction(dir);
        long end = offset + data.Length;
        if (offset < d.Next && !data.IsEmpty) CheckDelivered(in d, offset, data);
        while (true)
        {
            if (d.HasBuffered && d.Buffer!.First.Start <= d.Next)
            {
                var buf = d.Buffer;
                var c = buf.First;
                if (!c.HasBytes)
                {
                    // A range held for a bypassed flow: counted, not delivered.
                    if (c.End > d.Next) Skip(state, dir, c.End - d.Next);
                    BufferedBytes -= buf.RemoveFirst();
                    continue;
                }
                if (d.Next < end && state.Flow.Verdict != FlowVerdict.Bypass)
                {
                    long overlapEnd = Math.Min(end, c.End);
                    int n = (int)(overlapEnd - d.Next);
                    if (!data.Slice((int)(d.Next - offset), n).SequenceEqual(c.Span.Slice((int)(d.Next - c.Start), n)))
                        Report(ReassemblyAnomalies.OverlapDiffers);
                }
                if (c.End > d.Next) Emit(state, dir, c.Span[(int)(d.Next - c.Start)..], ts);
                BufferedBytes -= buf.RemoveFirst();
            }
            else if (d.Next < end)
            {
                long stop = d.HasBuffered ? Math.Min(end, d.Buffer!.First.Start) : end;
                Emit(state, dir, data.Slice((int)(d.Next - offset), (int)(stop - d.Next)), ts);
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Holds an out-of-order segment, declaring holes first if it would not fit within the limits.</summary>
    private void Hold(FlowState state, int dir, long offset, ReadOnlySpan<byte> data, long ts)
    {
        ref var d = ref state.Direction(dir);
        var buf = d.Buffer ??= new OutOfOrderBuffer();
        // A bypassed flow holds ranges only: the same per-direction limits (so its gaps fall where they would have),
        // nothing from the global byte budget.
        bool keepBytes = state.Flow.Verdict != FlowVerdict.Bypass;
        while (true)
        {
            buf.Measure(offset, data.Length, out long uncovered, out int pieces);
            if (uncovered == 0) break; // a copy of held data: Insert only compares it
            if (buf.Bytes + uncovered <= _options.MaxBufferedBytesPerDirection
                && buf.Count + pieces <= _options.MaxSegmentsPerDirection
                && (!keepBytes || BufferedBytes + uncovered <= _options.MaxBufferedBytesTotal))
                break;

            Report(ReassemblyAnomalies.OutOfOrderBufferFull);
            if (buf.Count == 0 || buf.First.Start > offset)
            {
                // This segment is the earliest data we have: give up on the hole before it and deliver it now.
                Gap(state, dir, offset - d.Next, ts);
                Deliver(state, dir, offset, data, ts);
                return;
            }
            Gap(state, dir, buf.First.Start - d.Next, ts);
            Deliver(state, dir, d.Next, ReadOnlySpan<byte>.Empty, ts);
            if (offset + data.Length <= d.Next) return; // covered by what was just delivered
            if (offset <= d.Next)
            {
                Deliver(state, dir, offset, data, ts);
                return;
            }
        }

        if (buf.Insert(offset, data, out long added, keepBytes)) Report(ReassemblyAnomalies.OverlapDiffers);
        if (added == 0) Retransmissions++;
        if (keepBytes) BufferedBytes += added;
    }

    /// <summary>
    /// Compares the part of a segment that lies over already delivered bytes with what was delivered, as far as the
    /// direction's history reaches; a difference is <c>overlap_differs</c> (first bytes won: nothing is re-delivered).
    /// </summary>
    private void CheckDelivered(in DirectionState d, long offset, ReadOnlySpan<byte> data)
    {
        if (d.DiffersFromDelivered(offset, data)) Report(ReassemblyAnomalies.OverlapDiffers);
    }

    private void Emit(FlowState state, int dir, ReadOnlySpan<byte> data, long ts)
    {
        if (data.IsEmpty) return;
        if (state.Flow.Verdict == FlowVerdict.Bypass)
        {
            Skip(state, dir, data.Length);
            return;
        }
        ref var d = ref state.Direction(dir);
        d.Next += data.Length;
        d.Remember(data, _rings);
        state.Flow.AddDelivered(dir, data.Length);
        DeliveredBytes += data.Length;
        _handler.OnData(state.Flow, (FlowDirection)dir, data, ts);
    }

    /// <summary>In-order bytes of a bypassed flow: the stream moves on, the bytes are only counted.</summary>
    private static void Skip(FlowState state, int dir, long length)
    {
        state.Direction(dir).Next += length;
        state.Flow.AddBypassed(dir, length);
    }

    /// <summary>Bytes missing at Next: a gap, or, on a flow whose packets are shed, bytes dropped on purpose.</summary>
    private void Hole(FlowState state, int dir, long missing, long ts)
    {
        if (state.Shed) { if (missing > 0) Skip(state, dir, missing); }
        else Gap(state, dir, missing, ts);
    }

    private void Gap(FlowState state, int dir, long missing, long ts)
    {
        if (missing <= 0) return;
        state.Direction(dir).SkipGap(missing);
        state.Flow.AddGap(dir, missing);
        Gaps++;
        GapBytes += missing;
        _handler.OnGap(state.Flow, (FlowDirection)dir, missing, ts);
    }

    /// <summary>Delivers everything held in a direction, declaring each hole, including an acknowledged tail never seen.</summary>
    private void Flush(FlowState state, int dir, long ts)
    {
        ref var d = ref state.Direction(dir);
        while (d.HasBuffered)
        {
            Hole(state, dir, d.Buffer!.First.Start - d.Next, ts);
            Deliver(state, dir, d.Next, ReadOnlySpan<byte>.Empty, ts);
        }
        if (d.Initialized && d.AckedBeyond > d.Next)
        {
            long missing = d.AckedBeyond - d.Next;
            // Without a FIN seen, an ACK exactly one past our data is most likely the ACK of a FIN the capture missed.
            if (d.FinSeen || missing > 1) Hole(state, dir, missing, ts);
        }
        if (state.Shed && d.FinSeen && d.FinOffset > d.Next) Skip(state, dir, d.FinOffset - d.Next);
        d.AckHolePending = false;
    }

    /// <summary>Reports the flow closed (once), after flushing it, and lets it linger in the table.</summary>
    private void Close(FlowState state, FlowCloseReason reason, long ts)
    {
        bool open = state.Phase == FlowPhase.Open; // a Closing flow is on the linger list already
        Finish(state, reason, ts);
        if (open)
        {
            _active.Remove(state);
            state.LingerSinceNs = ts;
            state.Flow.OrderStamp = PacketNumber | LingerOrderBit;
            _linger.AddLast(state);
        }
    }

    /// <summary>Reports the flow closed if it was not yet, and removes it from the table.</summary>
    private void Retire(FlowState state, FlowCloseReason reasonIfOpen, long ts)
    {
        Retiring?.Invoke(state.Flow);
        var reason = state.Phase == FlowPhase.Closing ? FlowCloseReason.Fin : reasonIfOpen;
        (state.Phase == FlowPhase.Open ? _active : _linger).Remove(state);
        Finish(state, reason, ts);
        _table.Remove(state);
        if (state.AppliedVerdict != FlowVerdict.Undecided) VerdictSink?.OnForget(state.Flow.Key);
    }

    private void Finish(FlowState state, FlowCloseReason reason, long ts)
    {
        if (state.Phase == FlowPhase.Closed) return;
        Flush(state, 0, ts);
        Flush(state, 1, ts);
        state.Phase = FlowPhase.Closed;
        _unclosed--;
        FlowsClosed++;
        _handler.OnFlowClosed(state.Flow, reason, ts);
        // Nothing is delivered or compared after the close (late segments are only recognised): the rings go back.
        state.Direction(0).ReleaseHistory(_rings);
        state.Direction(1).ReleaseHistory(_rings);
    }

    private void Report(string name) => _anomalies.Report(AnomalyStage.Reassembly, name);
}
