using System.Buffers.Binary;
using McpEgress.Capture;
using PacketDotNet;

namespace McpEgress.Decode;

/// <summary>
/// Decodes a frame with PacketDotNet 1.4.8 into the same facts <see cref="PacketDecoder"/> yields: the oracle the
/// span decoder is differential-tested against (<c>PacketDecoderOracleTests</c>), and the "PacketDotNet on the hot
/// path" variant of the decode benchmark. Not on the hot path: it copies the frame into a new array and builds an
/// object graph per packet (measured in README "Built on").
/// <para>
/// Shims for what PacketDotNet lacks: LINKTYPE_LOOP (108, network-order family), LINKTYPE_IPV4/IPV6 (228/229) and
/// NULL written on a big-endian host are parsed as raw IP after their 4-byte header (or none). IP fragments are
/// reported as <see cref="Verdict.Fragment"/>: PacketDotNet does not reassemble.
/// </para>
/// </summary>
internal static class PacketDotNetDecoder
{
    public enum Verdict { Tcp, NotTcp, Fragment, Malformed, UnsupportedLinkType }

    /// <summary>What PacketDotNet read from one frame; <see cref="Payload"/> is a copy.</summary>
    public sealed record Result(Verdict Verdict, System.Net.IPAddress? Source = null, System.Net.IPAddress? Destination = null,
        ushort SourcePort = 0, ushort DestinationPort = 0, uint Sequence = 0, uint Acknowledgment = 0, TcpFlags Flags = 0,
        ushort Window = 0, byte[]? Payload = null);

    private static readonly Result NotTcp = new(Verdict.NotTcp);
    private static readonly Result Fragment = new(Verdict.Fragment);
    private static readonly Result Malformed = new(Verdict.Malformed);
    private static readonly Result Unsupported = new(Verdict.UnsupportedLinkType);

    public static Result Decode(LinkType linkType, ReadOnlySpan<byte> frame)
    {
        Packet packet;
        try
        {
            packet = Parse(linkType, frame);
        }
        catch (NotImplementedException)
        {
            return Unsupported;
        }
        catch (Exception)
        {
            return Malformed;
        }
        if (packet is null) return Unsupported;
        try
        {
            var ip = packet.Extract<IPPacket>();
            if (ip is null) return NotTcp;
            if (ip is IPv4Packet v4 && ((v4.FragmentFlags & 0x1) != 0 || v4.FragmentOffset != 0)) return Fragment;
            if (ip is IPv6Packet v6 && v6.ExtensionHeaders.Any(h => h is IPv6FragmentationExtensionHeader)) return Fragment;
            if (ip.Protocol != ProtocolType.Tcp) return NotTcp;
            var tcp = packet.Extract<TcpPacket>();
            if (tcp is null) return Malformed;
            return new Result(Verdict.Tcp, ip.SourceAddress, ip.DestinationAddress, tcp.SourcePort, tcp.DestinationPort,
                tcp.SequenceNumber, tcp.AcknowledgmentNumber, (TcpFlags)(tcp.Flags & 0xFF), tcp.WindowSize,
                tcp.PayloadData ?? []);
        }
        catch (Exception)
        {
            return Malformed;
        }
    }

    private static Packet Parse(LinkType linkType, ReadOnlySpan<byte> frame) => linkType switch
    {
        // BSD NULL is host order: PacketDotNet reads it little-endian only.
        LinkType.Null when frame.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(frame) > 0xFFFF => Raw(frame[4..]),
        LinkType.Loop when frame.Length >= 4 => Raw(frame[4..]),
        LinkType.Ipv4 or LinkType.Ipv6 => Raw(frame),
        _ => Packet.ParsePacket((LinkLayers)(int)linkType, frame.ToArray()),
    };

    private static Packet Raw(ReadOnlySpan<byte> ip) => Packet.ParsePacket(LinkLayers.Raw, ip.ToArray());
}
