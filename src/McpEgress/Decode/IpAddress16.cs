using System.Buffers.Binary;
using System.Net;

namespace McpEgress.Decode;

/// <summary>
/// An IPv4 or IPv6 address stored inline (no heap object), usable as a dictionary key in flow tables.
/// IPv4 is kept as an IPv4-mapped IPv6 value with <see cref="IsV4"/> set.
/// </summary>
public readonly struct IpAddress16 : IEquatable<IpAddress16>
{
    private readonly ulong _hi;
    private readonly ulong _lo;
    public bool IsV4 { get; }

    internal IpAddress16(ulong hi, ulong lo, bool isV4) { _hi = hi; _lo = lo; IsV4 = isV4; }

    /// <summary>The first and last 8 bytes, big-endian (for types that store an address flat).</summary>
    internal ulong High => _hi;
    internal ulong Low => _lo;

    public static IpAddress16 FromV4(ReadOnlySpan<byte> four) =>
        new(0, 0x0000_FFFF_0000_0000UL | BinaryPrimitives.ReadUInt32BigEndian(four), true);

    public static IpAddress16 FromV6(ReadOnlySpan<byte> sixteen) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(sixteen), BinaryPrimitives.ReadUInt64BigEndian(sixteen[8..]), false);

    public static IpAddress16 FromIPAddress(IPAddress address)
    {
        Span<byte> b = stackalloc byte[16];
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(b, out _);
            return FromV4(b[..4]);
        }
        address.TryWriteBytes(b, out _);
        return FromV6(b);
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> b = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(b, _hi);
        BinaryPrimitives.WriteUInt64BigEndian(b[8..], _lo);
        return IsV4 ? new IPAddress(b[12..]) : new IPAddress(b);
    }

    public bool Equals(IpAddress16 other) => _hi == other._hi && _lo == other._lo && IsV4 == other.IsV4;
    public override bool Equals(object? obj) => obj is IpAddress16 o && Equals(o);
    public override int GetHashCode() => HashCode.Combine(_hi, _lo);
    public static bool operator ==(IpAddress16 a, IpAddress16 b) => a.Equals(b);
    public static bool operator !=(IpAddress16 a, IpAddress16 b) => !a.Equals(b);
    public override string ToString() => ToIPAddress().ToString();
}
