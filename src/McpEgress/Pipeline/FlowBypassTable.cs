using System.Numerics;
using McpEgress.Capture;
using McpEgress.Capture.Live;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using McpEgress.Reassembly;

namespace McpEgress.Pipeline;

/// <summary>
/// The flows whose verdict is known (<see cref="FlowVerdict"/>: keep, expendable, bypassed), keyed by their two endpoints in either order, in a
/// fixed-size open-addressing table allocated once: written by the pipeline thread(s) through
/// <see cref="IFlowVerdictSink"/> (the reassembler's), read by the capture threads through <see cref="CreateTriage"/>
/// without locks. Each slot is a seqlock: a writer makes its version odd (compare-and-swap, so writers never share a
/// slot), writes, and makes it even again; a reader that sees an odd version or a version that changed while it read
/// takes the packet as Unknown, which is always safe (the packet is queued). Entries go when the flow leaves the
/// reassembler's table (<see cref="IFlowVerdictSink.OnForget"/>); a freed slot is reused, never emptied, so probe
/// chains stay whole. Nothing is allocated after construction.
/// </summary>
public sealed class FlowBypassTable : IFlowVerdictSink
{
    private struct Slot
    {
        public long Version;        // odd while a writer is in the slot
        public ulong AHigh, ALow, BHigh, BLow;
        public uint Ports;          // A's port << 16 | B's port
        public byte Family;         // 4 or 6; 0: never used (ends a probe chain)
        public byte Verdict;        // FlowVerdict; Undecided: free for reuse
        public long LastForwardNs;  // capture threads: packet time the flow last sent a packet through
    }

    private readonly Slot[] _slots;
    private readonly int _mask;
    private readonly int _maxProbe;
    private readonly long _forwardIntervalNs;
    private int _count;
    private long _full;

    public FlowBypassTable(FlowBypassOptions? options = null)
    {
        options ??= new FlowBypassOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxProbe, 1);
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(options.Slots, 2));
        _slots = new Slot[size];
        _mask = size - 1;
        _maxProbe = Math.Min(options.MaxProbe, size);
        _forwardIntervalNs = options.ForwardInterval.Ticks * 100;
    }

    /// <summary>Flows in the table now.</summary>
    public int Count => Volatile.Read(ref _count);

    public int Capacity => _slots.Length;

    /// <summary>Verdicts that found no free slot within <see cref="FlowBypassOptions.MaxProbe"/> (those flows are not shed).</summary>
    public long Full => Volatile.Read(ref _full);

    /// <summary>One triage per capture thread: it decodes headers with a decoder of its own.</summary>
    public IPacketTriage CreateTriage() => new Triage(this);

    public bool OnVerdict(FlowKey flow, FlowVerdict verdict)
    {
        var k = new Key(flow.Client, flow.Server);
        int home = k.Hash & _mask;
        for (int attempt = 0; attempt < 4; attempt++)
        {
            int free = -1;
            for (int i = 0; i < _maxProbe; i++)
            {
                int idx = (home + i) & _mask;
                ref var s = ref _slots[idx];
                if (s.Family == 0) { if (free < 0) free = idx; break; }
                if (s.Verdict != 0 && k.Matches(in s))
                {
                    // One writer per flow: this is ours.
                    long v = Lock(ref s);
                    s.Verdict = (byte)verdict;
                    Unlock(ref s, v);
                    return verdict == FlowVerdict.Bypass;
                }
                if (s.Verdict == 0 && free < 0) free = idx;
            }
            if (free < 0) break;
            ref var f = ref _slots[free];
            long version = Volatile.Read(ref f.Version);
            if ((version & 1) != 0 || Interlocked.CompareExchange(ref f.Version, version + 1, version) != version) continue;
            if (f.Verdict != 0) { Volatile.Write(ref f.Version, version + 2); continue; } // another writer took it
            f.AHigh = k.AHigh; f.ALow = k.ALow; f.BHigh = k.BHigh; f.BLow = k.BLow;
            f.Ports = k.Ports;
            f.Family = k.Family;
            f.Verdict = (byte)verdict;
            f.LastForwardNs = long.MinValue;
            Volatile.Write(ref f.Version, version + 2);
            Interlocked.Increment(ref _count);
            return verdict == FlowVerdict.Bypass;
        }
        Interlocked.Increment(ref _full);
        return false;
    }

    public void OnForget(FlowKey flow)
    {
        var k = new Key(flow.Client, flow.Server);
        int home = k.Hash & _mask;
        for (int i = 0; i < _maxProbe; i++)
        {
            ref var s = ref _slots[(home + i) & _mask];
            if (s.Family == 0) return;
            if (s.Verdict == 0 || !k.Matches(in s)) continue;
            long v = Lock(ref s);
            s.Verdict = 0;
            Unlock(ref s, v);
            Interlocked.Decrement(ref _count);
            return;
        }
    }

    /// <summary>The verdict for a packet between <paramref name="a"/> and <paramref name="b"/> (either order); any thread.</summary>
    public FlowVerdict Lookup(Endpoint a, Endpoint b) => Find(new Key(a, b), out _);

    private FlowVerdict Find(in Key k, out int index)
    {
        int home = k.Hash & _mask;
        for (int i = 0; i < _maxProbe; i++)
        {
            index = (home + i) & _mask;
            ref var s = ref _slots[index];
            long v1 = Volatile.Read(ref s.Version);
            if ((v1 & 1) != 0) continue;
            byte family = s.Family, verdict = s.Verdict;
            bool match = verdict != 0 && k.Matches(in s);
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref s.Version) != v1) continue; // rewritten while we read: not to be trusted
            if (family == 0) break;
            if (match) return (FlowVerdict)verdict;
        }
        index = -1;
        return FlowVerdict.Undecided;
    }

    /// <summary>
    /// A bypassed flow's packet goes through anyway when it opens or ends the connection, or when the flow sent none
    /// through for <see cref="FlowBypassOptions.ForwardInterval"/>.
    /// </summary>
    private PacketTriage Classify(in TcpSegment segment, long timestampNs)
    {
        var key = new Key(segment.Source, segment.Destination);
        var verdict = Find(key, out int index);
        if (verdict == FlowVerdict.Keep) return PacketTriage.Keep;
        if (verdict == FlowVerdict.Expendable) return PacketTriage.Expendable;
        if (verdict != FlowVerdict.Bypass) return PacketTriage.Unknown;
        if ((segment.Flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn)
        {
            // A new connection on the same four-tuple: none of its packets may be shed while the pipeline has not yet
            // seen this SYN and retired the old flow, so the entry goes now.
            Release(index, in key);
            return PacketTriage.Keep;
        }
        if ((segment.Flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) != 0) return PacketTriage.Keep;
        ref long last = ref _slots[index].LastForwardNs;
        long previous = Volatile.Read(ref last);
        if (previous != long.MinValue && timestampNs - previous < _forwardIntervalNs && timestampNs >= previous) return PacketTriage.Bypass;
        Volatile.Write(ref last, timestampNs); // a race between capture threads sends one more packet through: harmless
        return PacketTriage.Keep;
    }

    /// <summary>Frees slot <paramref name="index"/> if it still holds <paramref name="key"/> (any thread).</summary>
    private void Release(int index, in Key key)
    {
        ref var s = ref _slots[index];
        long v = Lock(ref s);
        bool ours = s.Verdict != 0 && key.Matches(in s);
        if (ours) s.Verdict = 0;
        Unlock(ref s, v);
        if (ours) Interlocked.Decrement(ref _count);
    }

    private static long Lock(ref Slot s)
    {
        var spin = new SpinWait();
        while (true)
        {
            long v = Volatile.Read(ref s.Version);
            if ((v & 1) == 0 && Interlocked.CompareExchange(ref s.Version, v + 1, v) == v) return v;
            spin.SpinOnce();
        }
    }

    private static void Unlock(ref Slot s, long v) => Volatile.Write(ref s.Version, v + 2);

    /// <summary>The two endpoints in a fixed order (the smaller first), so both directions make the same key.</summary>
    private readonly struct Key
    {
        public readonly ulong AHigh, ALow, BHigh, BLow;
        public readonly uint Ports;
        public readonly byte Family;
        public readonly int Hash;

        public Key(Endpoint x, Endpoint y)
        {
            var (xa, xp) = x;
            var (ya, yp) = y;
            bool swap = xa.High > ya.High || (xa.High == ya.High && (xa.Low > ya.Low || (xa.Low == ya.Low && xp > yp)));
            if (swap) { (xa, ya) = (ya, xa); (xp, yp) = (yp, xp); }
            AHigh = xa.High; ALow = xa.Low; BHigh = ya.High; BLow = ya.Low;
            Ports = (uint)xp << 16 | yp;
            Family = xa.IsV4 ? (byte)4 : (byte)6;
            Hash = HashCode.Combine(AHigh, ALow, BHigh, BLow, Ports); // seeded per process: not steerable from outside
        }

        public bool Matches(in Slot s) =>
            s.ALow == ALow && s.BLow == BLow && s.Ports == Ports && s.AHigh == AHigh && s.BHigh == BHigh && s.Family == Family;
    }

    /// <summary>A capture thread's view: its own decoder (headers only matter; fragments are barely held).</summary>
    private sealed class Triage(FlowBypassTable table) : IPacketTriage
    {
        private readonly PacketDecoder _decoder = new(new DecoderOptions { MaxFragmentDatagrams = 1 }, new AnomalyCounters());

        public PacketTriage Classify(in CapturedPacket packet) =>
            _decoder.Decode(packet, out var segment) == DecodeResult.Tcp ? table.Classify(segment, packet.TimestampNs) : PacketTriage.Unknown;
    }
}
