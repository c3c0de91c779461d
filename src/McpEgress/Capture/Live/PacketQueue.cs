using System.Runtime.InteropServices;

namespace McpEgress.Capture.Live;

/// <summary>
/// Bounded multi-producer, single-consumer packet queue with all memory allocated up front: a table of
/// <c>QueuePackets</c> records and one byte arena of <c>QueueBytes</c> used as a ring. A producer reserves a record
/// and a contiguous arena range under a short lock, copies the packet outside the lock (so interfaces do not wait on
/// each other's copies) and publishes the record by writing its sequence number. The consumer takes records in
/// reservation order and releases a record's arena range when it asks for the next one, so the packet it holds stays
/// valid until then. A full queue never blocks: <see cref="TryEnqueue"/> returns false and the caller counts a drop.
/// </summary>
internal sealed unsafe class PacketQueue
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Record
    {
        public long Sequence;      // reservation index + 1 once the data is copied; the consumer waits for it
        public long End;           // arena position (monotonic) after this record's bytes
        public long TimestampNs;
        public int Offset;         // in the arena
        public int Length;
        public int OriginalLength;
        public int InterfaceId;
        public LinkType LinkType;
    }

    private readonly Record[] _records;
    private readonly byte[] _arena;
    private readonly Lock _reserve = new();
    private readonly ManualResetEventSlim _available = new(false, spinCount: 1);

    // Producer side, under _reserve.
    private long _reserved;        // records reserved
    private long _arenaWrite;      // monotonic arena position of the next reservation

    // Consumer side, read by producers (Volatile) to find free space.
    private long _released;        // records released by the consumer
    private long _arenaRead;       // monotonic arena position up to which bytes are free
    private bool _holding;         // the consumer holds record _released (not yet released)

    private int _consumerWaiting;
    private volatile bool _completed;

    public PacketQueue(int packets, int bytes, double highWater = 1)
    {
        _records = new Record[packets];
        _arena = GC.AllocateUninitializedArray<byte>(bytes, pinned: true);
        _highWaterPackets = (long)Math.Ceiling(packets * highWater);
        _highWaterBytes = (long)Math.Ceiling(bytes * highWater);
    }

    private readonly long _highWaterPackets;
    private readonly long _highWaterBytes;

    /// <summary>
    /// The queue is filled beyond its high-water mark (records or arena bytes): packets of expendable flows are not
    /// added any more, so the rest stays for flows that may carry mail. Approximate while producers run; any thread.
    /// </summary>
    public bool AboveHighWater => Count >= _highWaterPackets || Bytes >= _highWaterBytes;

    public int Capacity => _records.Length;
    public int ArenaBytes => _arena.Length;

    /// <summary>True once <see cref="Complete"/> was called: no producer will add anything any more.</summary>
    public bool IsCompleted => _completed;

    /// <summary>Records reserved and not yet released (includes the one the consumer holds).</summary>
    public long Count => Volatile.Read(ref _reserved) - Volatile.Read(ref _released);

    /// <summary>Arena bytes in use (reserved and not yet released), approximate while producers run; for metrics.</summary>
    public long Bytes => Math.Max(0, Volatile.Read(ref _arenaWrite) - Volatile.Read(ref _arenaRead));

    /// <summary>
    /// Queues a packet according to what is known of its flow: a bypassed flow's packet is not queued; an expendable
    /// flow's only below the high-water mark; any other as <see cref="TryEnqueue"/>. Safe from several threads at once.
    /// </summary>
    public QueueOffer Offer(PacketTriage triage, int interfaceId, LinkType linkType, long timestampNs, int originalLength,
        byte* data, int length)
    {
        if (triage == PacketTriage.Bypass) return QueueOffer.Bypassed;
        if (triage == PacketTriage.Expendable && AboveHighWater) return QueueOffer.DroppedAboveHighWater;
        return TryEnqueue(interfaceId, linkType, timestampNs, originalLength, data, length) ? QueueOffer.Queued : QueueOffer.DroppedFull;
    }

    /// <summary>
    /// Copies a packet into the queue. Returns false, copying nothing, when the record table or the arena is full.
    /// Safe to call from several threads at once.
    /// </summary>
    public bool TryEnqueue(int interfaceId, LinkType linkType, long timestampNs, int originalLength, byte* data, int length)
    {
        long index;
        int offset;
        lock (_reserve)
        {
            index = _reserved;
            if (index - Volatile.Read(ref _released) >= _records.Length) return false;
            long position = _arenaWrite;
            int size = _arena.Length;
            offset = (int)(position % size);
            if (offset + length > size)
            {
                // A packet never wraps around the arena's end: skip the tail so the consumer gets one span.
                position += size - offset;
                offset = 0;
            }
            if (position + length - Volatile.Read(ref _arenaRead) > size) return false;

            ref var r = ref _records[index % _records.Length];
            r.End = position + length;
            r.TimestampNs = timestampNs;
            r.Offset = offset;
            r.Length = length;
            r.OriginalLength = originalLength;
            r.InterfaceId = interfaceId;
            r.LinkType = linkType;
            _arenaWrite = position + length;
            _reserved = index + 1;
        }

        new ReadOnlySpan<byte>(data, length).CopyTo(_arena.AsSpan(offset, length));
        // Full fence: the publication must be visible before _consumerWaiting is read, or a consumer that has just
        // announced itself and re-checked this record could sleep through it.
        Interlocked.Exchange(ref _records[index % _records.Length].Sequence, index + 1);
        if (Volatile.Read(ref _consumerWaiting) != 0 && Interlocked.Exchange(ref _consumerWaiting, 0) != 0)
            _available.Set();
        return true;
    }

    /// <summary>
    /// Releases the packet returned by the previous call and returns the next published one, if any. Consumer only.
    /// </summary>
    public bool TryDequeue(out CapturedPacket packet)
    {
        ReleaseHeld();
        long index = _released;
        ref var r = ref _records[index % _records.Length];
        if (Volatile.Read(ref r.Sequence) != index + 1)
        {
            packet = default;
            return false;
        }
        _holding = true;
        packet = new CapturedPacket(r.LinkType, r.TimestampNs, r.OriginalLength, r.InterfaceId, _arena.AsSpan(r.Offset, r.Length));
        return true;
    }

    /// <summary>
    /// Waits until a record may have been published, <paramref name="timeoutMs"/> passes or <see cref="Complete"/> is
    /// called. Returns immediately when a record is already published. Consumer only.
    /// </summary>
    public void Wait(int timeoutMs)
    {
        ReleaseHeld();
        _available.Reset();
        Interlocked.Exchange(ref _consumerWaiting, 1);
        long index = _released;
        if (!_completed && Volatile.Read(ref _records[index % _records.Length].Sequence) != index + 1)
            _available.Wait(timeoutMs);
        Volatile.Write(ref _consumerWaiting, 0);
    }

    /// <summary>
    /// Marks the end of input (every producer has finished publishing) and wakes the consumer. A consumer that sees
    /// <see cref="IsCompleted"/> drains what is published and stops waiting.
    /// </summary>
    public void Complete()
    {
        _completed = true;
        _available.Set();
    }

    private void ReleaseHeld()
    {
        if (!_holding) return;
        _holding = false;
        long index = _released;
        Volatile.Write(ref _arenaRead, _records[index % _records.Length].End);
        Volatile.Write(ref _released, index + 1);
    }
}
