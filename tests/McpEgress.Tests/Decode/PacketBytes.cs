using System.Buffers.Binary;

namespace McpEgress.Tests.Decode;

/// <summary>Builds link/IP/TCP headers for decoder tests (checksums left zero: the decoder ignores them).</summary>
internal static class PacketBytes
{
    public static readonly byte[] Src4 = [192, 168, 0, 1];
    public static readonly byte[] Dst4 = [10, 0, 0, 2];
    public static readonly byte[] Src6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    public static readonly byte[] Dst6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>TCP header: ports, seq, ack, data offset (with options), flags, window 0x0100, checksum, urgent.</summary>
    public static byte[] Tcp(byte[] payload, ushort sourcePort = 50000, ushort destinationPort = 25, uint seq = 100, uint ack = 200,
        byte flags = 0x18, byte[]? options = null)
    {
        options ??= [];
        var h = new byte[20 + options.Length];
        BinaryPrimitives.WriteUInt16BigEndian(h, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(8), ack);
        h[12] = (byte)((h.Length / 4) << 4);
        h[13] = flags;
        h[14] = 0x01;
        options.CopyTo(h, 20);
        return Concat(h, payload);
    }

    /// <summary>IPv4 header (+ options) followed by <paramref name="payload"/>; total length computed unless given.</summary>
    public static byte[] Ipv4(byte protocol, byte[] payload, ushort id = 1, bool moreFragments = false, int fragmentOffset = 0,
        byte[]? options = null, int? totalLength = null, byte[]? source = null)
    {
        options ??= [];
        var h = new byte[20 + options.Length];
        h[0] = (byte)(0x40 | (h.Length / 4));
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), (ushort)(totalLength ?? h.Length + payload.Length));
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(6), (ushort)((moreFragments ? 0x2000 : 0) | (fragmentOffset / 8)));
        h[8] = 64;
        h[9] = protocol;
        (source ?? Src4).CopyTo(h, 12);
        Dst4.CopyTo(h, 16);
        options.CopyTo(h, 20);
        return Concat(h, payload);
    }

    /// <summary>IPv6 fixed header followed by <paramref name="payload"/> (which includes any extension headers).</summary>
    public static byte[] Ipv6(byte nextHeader, byte[] payload, int? payloadLength = null)
    {
        var h = new byte[40];
        h[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), (ushort)(payloadLength ?? payload.Length));
        h[6] = nextHeader;
        h[7] = 64;
        Src6.CopyTo(h, 8);
        Dst6.CopyTo(h, 24);
        return Concat(h, payload);
    }

    /// <summary>IPv6 fragment header: next header, reserved, offset|M, identification.</summary>
    public static byte[] Ipv6Fragment(byte nextHeader, int offset, bool more, uint id)
    {
        var h = new byte[8];
        h[0] = nextHeader;
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), (ushort)(offset | (more ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(4), id);
        return h;
    }

    /// <summary>Ethernet II: destination, source, EtherType.</summary>
    public static byte[] Ethernet(ushort etherType, byte[] payload) =>
        Concat([0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x66, 0x77, 0x88, 0x99, 0xaa, (byte)(etherType >> 8), (byte)etherType], payload);
}
