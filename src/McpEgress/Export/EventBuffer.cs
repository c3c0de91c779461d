using System.Buffers;

namespace McpEgress.Export;

/// <summary>
/// The UTF-8 bytes of the events not yet written to the stream: one array from <see cref="ArrayPool{T}"/>, reused
/// for the writer's lifetime (grown when one batch needs more), cut back with <see cref="Truncate"/> when an event
/// fails half-way. Not thread-safe (<see cref="EcsEventWriter"/> serializes calls).
/// </summary>
internal sealed class EventBuffer(int initialBytes) : IBufferWriter<byte>, IDisposable
{
    private byte[] _array = ArrayPool<byte>.Shared.Rent(Math.Max(initialBytes, 256));
    private int _length;

    public int Length => _length;
    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _length);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_array.Length - _length)) ThrowAdvancedPast(count);
        _length += count;
    }

    private static void ThrowAdvancedPast(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        throw new InvalidOperationException("advanced past the buffer");
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_length);
    }

    public void Append(byte b)
    {
        Ensure(1);
        _array[_length++] = b;
    }

    /// <summary>Forgets everything after <paramref name="length"/> bytes (0 empties the buffer).</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)_length, nameof(length));
        _length = length;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void Ensure(int sizeHint)
    {
        if (_array.Length - _length >= Math.Max(sizeHint, 1)) return; // most calls: inlined, no call
        Grow(Math.Max(sizeHint, 1));
    }

    private void Grow(int sizeHint)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_array.Length * 2, _length + sizeHint));
        _array.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }

    public void Dispose()
    {
        var a = _array;
        _array = [];
        _length = 0;
        if (a.Length > 0) ArrayPool<byte>.Shared.Return(a);
    }
}
