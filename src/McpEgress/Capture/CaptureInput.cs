using System.Buffers;

namespace McpEgress.Capture;

/// <summary>
/// The byte source under a file reader: a buffered stream, a byte position for progress, and one reusable record
/// buffer that grows (from the shared pool) up to the caller's limit and is never shrunk, so steady-state reading
/// allocates nothing per packet.
/// </summary>
internal sealed class CaptureInput : IDisposable
{
    private readonly Stream _inner;
    private readonly Stream _stream;
    private byte[] _buffer;

    public CaptureInput(Stream stream, int bufferBytes)
    {
        _inner = stream;
        _stream = stream is BufferedStream or MemoryStream ? stream : new BufferedStream(stream, Math.Max(4096, bufferBytes));
        Length = stream.CanSeek ? stream.Length : -1;
        _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    }

    public long Position { get; private set; }
    public long Length { get; }

    /// <summary>Reads until <paramref name="destination"/> is full or the input ends; returns the bytes read.</summary>
    public int Read(Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = _stream.Read(destination[total..]);
            if (n <= 0) break;
            total += n;
        }
        Position += total;
        return total;
    }

    /// <summary>Skips up to <paramref name="count"/> bytes without buffering them all; returns the bytes skipped.</summary>
    public long Skip(long count)
    {
        long skipped = 0;
        Span<byte> scratch = _buffer;
        while (skipped < count)
        {
            int chunk = (int)Math.Min(scratch.Length, count - skipped);
            int n = Read(scratch[..chunk]);
            skipped += n;
            if (n < chunk) break;
        }
        return skipped;
    }

    /// <summary>The record buffer with at least <paramref name="size"/> bytes (callers check limits first).</summary>
    public byte[] Buffer(int size)
    {
        if (_buffer.Length < size)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(size); // the pool rounds up to a power of two
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        return _buffer;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
        _stream.Dispose();
        if (!ReferenceEquals(_stream, _inner)) _inner.Dispose();
    }
}
