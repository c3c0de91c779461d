namespace McpEgress.Protocols.Http;

/// <summary>The 9-octet HTTP/2 frame header (RFC 7540 §4.1).</summary>
internal readonly record struct Http2FrameHeader(int Length, byte Type, byte Flags, int StreamId)
{
    public const int Size = 9;

    public bool HasFlag(byte flag) => (Flags & flag) != 0;
}
