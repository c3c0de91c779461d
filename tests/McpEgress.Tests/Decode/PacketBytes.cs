using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using PacketDotNet;
using PacketDotNet.Utils;

namespace McpEgress.Tests.Decode;

/// <summary>Builds link/IP/TCP headers for decoder tests with PacketDotNet's setters (checksums left zero: the decoder
/// ignores them). Malformed lengths are passed in and written as given.</summary>
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
        var h = Header(20 + options.Length, b => b[12] = (byte)((b.Length / 4) << 4));
        var tcp = new TcpPacket(new ByteArraySegment(h))
        {
            SourcePort = sourcePort, DestinationPort = destinationPort, SequenceNumber = seq, AcknowledgmentNumber = ack,
            Flags = flags, WindowSize = 0x0100,
        };
        options.CopyTo(h, 20);
        return Concat(tcp.HeaderData, payload);
    }

    /// <summary>IPv4 header (+ options) followed by <paramref name="payload"/>; total length computed unless given.</summary>
    public static byte[] Ipv4(byte protocol, byte[] payload, ushort id = 1, bool moreFragments = false, int fragmentOffset = 0,
        byte[]? options = null, int? totalLength = null, byte[]? source = null)
    {
        options ??= [];
        var h = Header(20 + options.Length, b => b[0] = (byte)(0x40 | (b.Length / 4)));
        var ip = new IPv4Packet(new ByteArraySegment(h))
        {
            TotalLength = totalLength ?? h.Length + payload.Length, Id = id, FragmentFlags = moreFragments ? 0x1 : 0,
            FragmentOffset = fragmentOffset / 8, TimeToLive = 64, Protocol = (ProtocolType)protocol,
            SourceAddress = new IPAddress(source ?? Src4), DestinationAddress = new IPAddress(Dst4),
        };
        options.CopyTo(h, 20);
        return Concat(ip.HeaderData, payload);
    }

    /// <summary>IPv6 fixed header followed by <paramref name="payload"/> (which includes any extension headers).</summary>
    public static byte[] Ipv6(byte nextHeader, byte[] payload, int? payloadLength = null)
    {
        var ip = new IPv6Packet(new IPAddress(Src6), new IPAddress(Dst6))
        {
            NextHeader = (ProtocolType)nextHeader, HopLimit = 64, PayloadLength = (ushort)(payloadLength ?? payload.Length),
        };
        return Concat(ip.HeaderData, payload);
    }

    /// <summary>A header-sized array with its length field set, for PacketDotNet to fill in (it reads the length
    /// from the bytes when it wraps them, and builds option-less headers only).</summary>
    private static byte[] Header(int length, Action<byte[]> setLength)
    {
        var h = new byte[length];
        setLength(h);
        return h;
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

    /// <summary>Ethernet II: destination 00:11:22:33:44:55, source 00:66:77:88:99:aa, EtherType.</summary>
    public static byte[] Ethernet(ushort etherType, byte[] payload) =>
        Concat(new EthernetPacket(PhysicalAddress.Parse("00-66-77-88-99-AA"), PhysicalAddress.Parse("00-11-22-33-44-55"),
            (EthernetType)etherType).HeaderData, payload);
}
