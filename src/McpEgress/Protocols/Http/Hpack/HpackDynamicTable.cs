namespace McpEgress.Protocols.Http.Hpack;

/// <summary>
/// The HPACK dynamic table (RFC 7541 §2.3.2, §4): newest entry has index 1; an entry costs name + value octets + 32;
/// inserting evicts from the oldest end until the new entry fits, and an entry larger than the table empties it.
/// Backed by a ring buffer that never holds more than <c>maxSize / 32</c> entries.
/// </summary>
public sealed class HpackDynamicTable
{
    public const int EntryOverhead = 32;

    private KeyValuePair<string, string>[] _ring;
    private int _head; // slot of the newest entry
    private int _count;

    public HpackDynamicTable(int maxSize)
    {
        MaxSize = maxSize;
        _ring = new KeyValuePair<string, string>[Math.Max(8, Math.Min(64, maxSize / EntryOverhead + 1))];
    }

    public int Count => _count;

    /// <summary>Sum of entry sizes (octets).</summary>
    public int Size { get; private set; }

    public int MaxSize { get; private set; }

    /// <summary>1-based; 1 is the most recently inserted entry.</summary>
    public KeyValuePair<string, string> this[int index]
    {
        get
        {
            int slot = _head - (index - 1);
            if (slot < 0)
                slot += _ring.Length;
            return _ring[slot];
        }
    }

    public static int EntrySize(KeyValuePair<string, string> e) => e.Key.Length + e.Value.Length + EntryOverhead;

    public void SetMaxSize(int maxSize)
    {
        MaxSize = maxSize;
        EvictTo(maxSize);
    }

    public void Insert(KeyValuePair<string, string> entry)
    {
        int size = EntrySize(entry);
        if (size > MaxSize)
        {
            // RFC 7541 §4.4: not an error; the table ends up empty.
            EvictTo(0);
            return;
        }
        EvictTo(MaxSize - size);
        if (_count == _ring.Length)
            Grow();
        _head = (_head + 1) % _ring.Length;
        _ring[_head] = entry;
        _count++;
        Size += size;
    }

    private void EvictTo(int target)
    {
        while (Size > target && _count > 0)
        {
            int oldest = _head - (_count - 1);
            if (oldest < 0)
                oldest += _ring.Length;
            Size -= EntrySize(_ring[oldest]);
            _ring[oldest] = default;
            _count--;
        }
    }

    private void Grow()
    {
        var bigger = new KeyValuePair<string, string>[_ring.Length * 2];
        for (int i = 0; i < _count; i++)
            bigger[_count - 1 - i] = this[i + 1];
        _ring = bigger;
        _head = _count - 1;
    }
}
