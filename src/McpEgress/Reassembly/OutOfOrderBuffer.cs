using System.Buffers;

namespace McpEgress.Reassembly;

/// <summary>
/// Out-of-order data of one direction: non-overlapping chunks sorted by offset. Overlaps are resolved on insert,
/// first-received bytes win: only the parts of a new segment not already held are copied in.
/// Removal from the front is O(1) (a head index, compacted now and then); the chunk count is bounded by
/// <see cref="ReassemblyOptions.MaxSegmentsPerDirection"/>, so inserts in the middle stay cheap.
/// </summary>
internal sealed class OutOfOrderBuffer
{
    private readonly List<BufferedChunk> _chunks = new();
    private int _head;

    public int Count => _chunks.Count - _head;
    public long Bytes { get; private set; }
    public BufferedChunk First => _chunks[_head];

    private BufferedChunk At(int i) => _chunks[_head + i];

    /// <summary>Index of the first chunk that ends after <paramref name="offset"/> (ends are sorted too).</summary>
    private int FirstEndingAfter(long offset)
    {
        int lo = 0, hi = Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (At(mid).End > offset) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>How many bytes of [offset, offset+length) are not held yet, and in how many pieces.</summary>
    public void Measure(long offset, int length, out long uncovered, out int pieces)
    {
        long cursor = offset, end = offset + length;
        uncovered = 0;
        pieces = 0;
        for (int i = FirstEndingAfter(offset); i < Count && cursor < end; i++)
        {
            var c = At(i);
            if (c.Start >= end) break;
            if (c.Start > cursor) { uncovered += c.Start - cursor; pieces++; }
            cursor = Math.Max(cursor, c.End);
        }
        if (cursor < end) { uncovered += end - cursor; pieces++; }
    }

    /// <summary>
    /// Copies the parts of <paramref name="data"/> (at <paramref name="offset"/>) not held yet. Returns whether a
    /// part that was already held differs from the new bytes (the held bytes are kept). Without
    /// <paramref name="keepBytes"/> (a bypassed flow) only the ranges are held and nothing is compared.
    /// </summary>
    public bool Insert(long offset, ReadOnlySpan<byte> data, out long added, bool keepBytes = true)
    {
        long cursor = offset, end = offset + data.Length;
        bool differs = false;
        added = 0;
        int i = FirstEndingAfter(offset);
        while (cursor < end)
        {
            if (i < Count && At(i).Start <= cursor)
            {
                var c = At(i);
                long overlapEnd = Math.Min(end, c.End);
                int n = (int)(overlapEnd - cursor);
                if (c.HasBytes && keepBytes && !data.Slice((int)(cursor - offset), n).SequenceEqual(c.Span.Slice((int)(cursor - c.Start), n)))
                    differs = true;
                cursor = overlapEnd;
                i++;
            }
            else
            {
                long pieceEnd = i < Count ? Math.Min(end, At(i).Start) : end;
                int n = (int)(pieceEnd - cursor);
                byte[]? array = null;
                if (keepBytes)
                {
                    array = ArrayPool<byte>.Shared.Rent(n);
                    data.Slice((int)(cursor - offset), n).CopyTo(array);
                }
                _chunks.Insert(_head + i, new BufferedChunk(cursor, array, n));
                Bytes += n;
                added += n;
                cursor = pieceEnd;
                i++;
            }
        }
        return differs;
    }

    /// <summary>
    /// Drops the first chunk (after its bytes were delivered) and returns its array to the pool. Returns the bytes it
    /// held in memory (0 for a range-only chunk).
    /// </summary>
    public int RemoveFirst()
    {
        var c = _chunks[_head];
        _chunks[_head] = default;
        _head++;
        Bytes -= c.Length;
        if (c.Array is { } array) ArrayPool<byte>.Shared.Return(array);
        if (_head == _chunks.Count)
        {
            _chunks.Clear();
            _head = 0;
        }
        else if (_head >= 32 && _head * 2 >= _chunks.Count)
        {
            _chunks.RemoveRange(0, _head);
            _head = 0;
        }
        return c.HasBytes ? c.Length : 0;
    }
}
