namespace McpEgress.Reassembly;

/// <summary>
/// Out-of-order bytes [Start, End) of one direction, held in a pooled array; or, for a bypassed flow, only the range
/// (<see cref="Array"/> null): its bytes are never delivered, only counted.
/// </summary>
internal readonly struct BufferedChunk
{
    public BufferedChunk(long start, byte[] array, int length) { Start = start; Array = array; Length = length; }

    /// <summary>Stream offset of the first byte (0 = first data byte of the direction).</summary>
    public long Start { get; }
    public byte[]? Array { get; }
    public bool HasBytes => Array is not null;
    public int Length { get; }
    public long End => Start + Length;
    public ReadOnlySpan<byte> Span => new(Array, 0, Length);
}
