namespace McpEgress.Protocols.Http;

/// <summary>
/// Collects one request body up to a cap; bytes beyond the cap are counted, not kept. Grows by doubling from a small
/// start so a lying Content-Length cannot make us allocate the cap up front; once <see cref="TrustAfterBytes"/> of
/// real body have arrived (or when the declared length is that small), it grows straight to the declared length, so
/// a large honest body is not copied through every power of two.
/// </summary>
internal sealed class HttpBodyBuffer
{
    private const int InitialSize = 4096;
    internal const int TrustAfterBytes = 64 * 1024;
    private readonly int _max;
    private readonly long _expected;
    private readonly bool _pooled;
    private byte[] _buf = [];
    private int _len;

    /// <param name="max">The cap (HttpOptions.MaxBodyBytes).</param>
    /// <param name="expected">The declared Content-Length, or -1 when unknown.</param>
    /// <param name="pooled">Buffers up to <see cref="TrustAfterBytes"/> come from the shared ArrayPool (sized as below,
    /// or larger) and go back at <see cref="Release"/>: only for a body nobody reads after it.</param>
    public HttpBodyBuffer(int max, long expected = -1, bool pooled = false)
    {
        _max = max;
        _expected = expected;
        _pooled = pooled;
    }

    // Whether _buf came from the pool: only bodies up to TrustAfterBytes are pooled, so the shared pool never keeps a
    // large upload's buffer alive.
    private bool _bufFromPool;

    /// <summary>A pooled buffer goes back to the pool; <see cref="Memory"/> is empty after. A plain one stays as it is.</summary>
    public void Release()
    {
        if (!_bufFromPool) return;
        System.Buffers.ArrayPool<byte>.Shared.Return(_buf);
        _bufFromPool = false;
        _buf = [];
        _len = 0;
    }

    /// <summary>The request's Content-Length header as a number, or -1.</summary>
    public static long DeclaredLength(HttpRequestRecord record) =>
        long.TryParse(record.GetHeader("content-length"), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1;

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
        int needed = _len + data.Length;
        if (needed > _buf.Length)
        {
            long size;
            if (_expected >= needed && (needed > TrustAfterBytes || _expected <= TrustAfterBytes))
                size = _expected;
            else
            {
                size = Math.Max(_buf.Length * 2L, InitialSize);
                while (size < needed)
                    size *= 2;
            }
            int length = (int)Math.Min(size, _max);
            var grown = _pooled && length <= TrustAfterBytes ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : new byte[length];
            _buf.AsSpan(0, _len).CopyTo(grown);
            if (_bufFromPool) System.Buffers.ArrayPool<byte>.Shared.Return(_buf);
            _bufFromPool = _pooled && length <= TrustAfterBytes;
            _buf = grown;
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

    internal int Capacity => _buf.Length;
}
