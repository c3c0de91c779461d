namespace McpEgress.Reassembly;

/// <summary>Out-of-order bytes [Start, End) of one direction, held in a pooled array.</summary>
internal readonly struct BufferedChunk
{
    public BufferedChunk(long start, byte[] array, int length) { Start = start; Array = array; Length = length; }

    /// <summary>Stream offset of the first byte (0 = first data byte of the direction).</summary>
    public long Start { get; }
    public byte[] Array { get; }
    public int Length { get; }
    public long End => Start + Length;
    public ReadOnlySpan<byte> Span => new(Array, 0, Length);
}
