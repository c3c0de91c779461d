using System.Buffers.Binary;
using McpEgress.Capture;

namespace McpEgress.Decode;

/// <summary>
/// The link layers a capture can carry (Ethernet with 802.1Q/802.1ad tags, Linux SLL and SLL2, BSD Null and Loop,
/// Raw/IPv4/IPv6): strips the link header and names the network protocol. Shared by <see cref="PacketDecoder"/> and
/// whatever must find a packet's addresses before decoding it (a sharded pipeline's flow hash).
/// </summary>
public static class LinkLayer
{
    public const ushort EtherTypeIpv4 = 0x0800;
    public const ushort EtherTypeIpv6 = 0x86DD;
    private const ushort EtherTypeVlan = 0x8100;    // IEEE 802.1Q
    private const ushort EtherTypeQinQ = 0x88A8;    // IEEE 802.1ad
    private const ushort EtherTypeQinQOld = 0x9100; // pre-standard QinQ

    /// <summary>
    /// Moves <paramref name="d"/> past the link header. Returns null with the network protocol in
    /// <paramref name="etherType"/> (IPv4, IPv6, or another EtherType), or the decode anomaly that says why not
    /// (<see cref="DecodeAnomalies.UnsupportedLinkType"/> for a link type not followed).
    /// </summary>
    public static string? Strip(LinkType linkType, ref ReadOnlySpan<byte> d, int maxVlanTags, out ushort etherType)
    {
        etherType = 0;
        switch (linkType)
        {
            case LinkType.Ethernet:
            {
                if (d.Length < 14) return DecodeAnomalies.EthernetTooShort;
                etherType = BinaryPrimitives.ReadUInt16BigEndian(d[12..]);
                int offset = 14;
                int tags = 0;
                while (etherType is EtherTypeVlan or EtherTypeQinQ or EtherTypeQinQOld)
                {
                    // 802.1Q tag: TCI (2) then the inner EtherType (2).
                    if (++tags > maxVlanTags) return DecodeAnomalies.EthernetTooManyVlanTags;
                    if (d.Length < offset + 4) return DecodeAnomalies.EthernetVlanTagTruncated;
                    etherType = BinaryPrimitives.ReadUInt16BigEndian(d[(offset + 2)..]);
                    offset += 4;
                }
                d = d[offset..];
                break;
            }
            case LinkType.LinuxSll:
                // packet type (2), ARPHRD type (2), address length (2), address (8), protocol (2).
                if (d.Length < 16) return DecodeAnomalies.SllTooShort;
                etherType = BinaryPrimitives.ReadUInt16BigEndian(d[14..]);
                d = d[16..];
                break;
            case LinkType.LinuxSll2:
                // protocol (2), reserved (2), interface index (4), ARPHRD type (2), packet type (1),
                // address length (1), address (8).
                if (d.Length < 20) return DecodeAnomalies.Sll2TooShort;
                etherType = BinaryPrimitives.ReadUInt16BigEndian(d);
                d = d[20..];
                break;
            case LinkType.Null:
            case LinkType.Loop:
            {
                if (d.Length < 4) return DecodeAnomalies.LoopbackTooShort;
                // Null: host byte order of the capturing machine, which the file does not say; an address family
                // is small, so a value with high bits set was written in the other order. Loop: network order.
                uint family = linkType == LinkType.Loop
                    ? BinaryPrimitives.ReadUInt32BigEndian(d)
                    : BinaryPrimitives.ReadUInt32LittleEndian(d);
                if ((family & 0xFFFF0000) != 0) family = BinaryPrimitives.ReverseEndianness(family);
                d = d[4..];
                // AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux).
                etherType = family switch
                {
                    2 => EtherTypeIpv4,
                    24 or 28 or 30 or 10 => EtherTypeIpv6,
                    _ => 0,
                };
                break;
            }
            case LinkType.Raw:
                if (d.Length < 1) return DecodeAnomalies.RawTooShort;
                etherType = (d[0] >> 4) switch { 4 => EtherTypeIpv4, 6 => EtherTypeIpv6, _ => 0 };
                if (etherType == 0) return DecodeAnomalies.RawBadIpVersion;
                break;
            case LinkType.Ipv4:
                etherType = EtherTypeIpv4;
                break;
            case LinkType.Ipv6:
                etherType = EtherTypeIpv6;
                break;
            default:
                return DecodeAnomalies.UnsupportedLinkType;
        }

        return null;
    }
}
