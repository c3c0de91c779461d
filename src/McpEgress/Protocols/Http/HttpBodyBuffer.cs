namespace McpEgress.Protocols.Http;

/// <summary>
/// Collects one request body up to a cap; bytes beyond the cap are counted, not kept. Grows by doubling from a small
/// start so a lying Content-Length cannot make us allocate the cap up front.
/// </summary>
internal sealed class HttpBodyBuffer
{
    private const int InitialSize = 4096;
    private readonly int _max;
    private byte[] _buf = [];
    private int _len;

    public HttpBodyBuffer(int max) => _max = max;

    public long Total { get; private set; }
    public bool Truncated { get; private set; }
    public int Length => _len;

    /// <summary>Appends at most <paramref name="budget"/> bytes (the connection's remaining allowance); the rest is
    /// counted as missing. Returns the bytes actually stored.</summary>
    public int Append(ReadOnlySpan<byte> data, long budget)
    {
        if (data.Length > budget)
        {
            int keep = (int)Math.Max(0, budget);
            int before = _len;
            Append(data[..keep]);
            MarkHole(data.Length - keep);
            return _len - before;
        }
        int start = _len;
        Append(data);
        return _len - start;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        Total += data.Length;
        int room = _max - _len;
        if (data.Length > room)
        {
            Truncated = true;
            data = data[..room];
        }
        if (data.IsEmpty)
            return;
        if (_len + data.Length > _buf.Length)
        {
            int size = Math.Max(_buf.Length * 2, InitialSize);
            while (size < _len + data.Length)
                size *= 2;
            Array.Resize(ref _buf, Math.Min(size, _max));
        }
        data.CopyTo(_buf.AsSpan(_len));
        _len += data.Length;
    }

    /// <summary>Bytes were lost (gap): count them and mark the body as not whole.</summary>
    public void MarkHole(long missing)
    {
        Total += missing;
        Truncated = true;
    }

    public ReadOnlyMemory<byte> Memory => _buf.AsMemory(0, _len);
}
