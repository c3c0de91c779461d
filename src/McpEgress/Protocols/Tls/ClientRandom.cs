using System.Buffers.Binary;

namespace McpEgress.Protocols.Tls;

/// <summary>A 32-byte ClientHello random as a dictionary key (value type, no array per lookup).</summary>
internal readonly record struct ClientRandom(ulong A, ulong B, ulong C, ulong D)
{
    public const int Length = 32;

    public static ClientRandom From(ReadOnlySpan<byte> r) => new(
        BinaryPrimitives.ReadUInt64BigEndian(r),
        BinaryPrimitives.ReadUInt64BigEndian(r[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(r[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(r[24..]));
}
