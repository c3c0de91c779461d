using McpEgress.Capture;

namespace McpEgress.Pipeline.Sharding;

/// <summary>
/// Packets (and ticks, and the end of input) the reader hands to every shard at once: one buffer of packet bytes and a
/// table of entries, each with its number and owning shard. Every shard reads the whole batch — its own packets in
/// full, the others' only for their time — and the last one done returns it to the pool (<see cref="Release"/>).
/// Pooled and reused: nothing is allocated per packet.
/// </summary>
public sealed class PacketBatch
{
    public enum EntryKind : byte { Packet, Tick, Finish }

    public struct Entry
    {
        public long Number;
        public long TimestampNs;
        public int Offset;
        public int Length;
        public int OriginalLength;
        public int InterfaceId;
        public LinkType LinkType;
        public EntryKind Kind;
        public int Shard;
    }

    private readonly int _dataBytes;
    private byte[] _data = [];
    private readonly Entry[] _entries;
    private int _used;
    private int _pending;

    /// <param name="dataBytes">Packet bytes a batch holds (its buffer grows to it as packets come: a small capture never allocates it all).</param>
    public PacketBatch(int dataBytes, int maxEntries)
    {
        _dataBytes = dataBytes;
        _entries = new Entry[maxEntries];
    }

    public int Count { get; private set; }
    public bool IsEmpty => Count == 0;
    public bool IsFull => Count == _entries.Length;
    public ref readonly Entry this[int i] => ref _entries[i];

    /// <summary>The number of the last entry.</summary>
    public long LastNumber => Count == 0 ? 0 : _entries[Count - 1].Number;

    /// <summary>The packet of entry <paramref name="i"/>, viewing the batch's buffer.</summary>
    public CapturedPacket Packet(int i)
    {
        ref readonly var e = ref _entries[i];
        return new CapturedPacket(e.LinkType, e.TimestampNs, e.OriginalLength, e.InterfaceId, _data.AsSpan(e.Offset, e.Length));
    }

    /// <summary>Adds a packet; false when its bytes don't fit (send this batch and start another).</summary>
    public bool TryAdd(in CapturedPacket packet, long number, int shard)
    {
        if (IsFull) return false;
        int length = packet.Data.Length;
        if (_used + length > _data.Length)
        {
            if (_used + length <= _dataBytes || Count == 0)
            {
                // Grows (to the batch size, or for one packet larger than a batch); kept for the batch's next use.
                var grown = new byte[Math.Max(_used + length, Math.Min(_dataBytes, Math.Max(64 * 1024, _data.Length * 2)))];
                _data.AsSpan(0, _used).CopyTo(grown);
                _data = grown;
            }
            else return false;
        }
        packet.Data.CopyTo(_data.AsSpan(_used));
        _entries[Count++] = new Entry
        {
            Number = number, TimestampNs = packet.TimestampNs, Offset = _used, Length = length,
            OriginalLength = packet.OriginalLength, InterfaceId = packet.InterfaceId, LinkType = packet.LinkType,
            Kind = EntryKind.Packet, Shard = shard,
        };
        _used += length;
        return true;
    }

    /// <summary>Adds a tick or the end of input, for every shard; false when the batch is full.</summary>
    public bool TryAddMarker(EntryKind kind, long number, long timestampNs)
    {
        if (IsFull) return false;
        _entries[Count++] = new Entry { Number = number, TimestampNs = timestampNs, Kind = kind, Shard = -1 };
        return true;
    }

    /// <summary>Hands the batch to <paramref name="readers"/> shards.</summary>
    public void Share(int readers) => Volatile.Write(ref _pending, readers);

    /// <summary>One shard is done with it; true for the last one (then the batch is empty again).</summary>
    public bool Release()
    {
        if (Interlocked.Decrement(ref _pending) != 0) return false;
        Count = 0;
        _used = 0;
        return true;
    }
}
