using McpEgress.Capture;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using static McpEgress.Tests.Decode.PacketBytes;

namespace McpEgress.Tests.Decode;

public class PacketDecoderLinkTests
{
    private readonly AnomalyCounters _anomalies = new();
    private readonly PacketDecoder _decoder;

    public PacketDecoderLinkTests() => _decoder = new PacketDecoder(DecoderOptions.Default, _anomalies);

    // IPv4 192.168.0.1 -> 10.0.0.2, TCP 50000 -> 25, seq 100, ack 200, PSH|ACK, payload "hi".
    private static readonly byte[] Ipv4Tcp =
    [
        0x45, 0x00, 0x00, 0x2a, // version 4, IHL 5, TOS, total length 42
        0x00, 0x01, 0x40, 0x00, // id 1, flags DF, offset 0
        0x40, 0x06, 0x00, 0x00, // TTL 64, protocol 6 (TCP), checksum 0 (offload: not verified)
        0xc0, 0xa8, 0x00, 0x01, // source 192.168.0.1
        0x0a, 0x00, 0x00, 0x02, // destination 10.0.0.2
        0xc3, 0x50, 0x00, 0x19, // ports 50000 -> 25
        0x00, 0x00, 0x00, 0x64, // seq 100
        0x00, 0x00, 0x00, 0xc8, // ack 200
        0x50, 0x18, 0x01, 0x00, // data offset 5, flags PSH|ACK, window 256
        0x00, 0x00, 0x00, 0x00, // checksum, urgent pointer
        0x68, 0x69,             // "hi"
    ];

    private void AssertHi(DecodedSegment s)
    {
        Assert.Equal(DecodeResult.Tcp, s.Result);
        Assert.Equal("192.168.0.1:50000", s.Source.ToString());
        Assert.Equal("10.0.0.2:25", s.Destination.ToString());
        Assert.Equal(100u, s.Sequence);
        Assert.Equal(200u, s.Acknowledgment);
        Assert.Equal(TcpFlags.Psh | TcpFlags.Ack, s.Flags);
        Assert.Equal(256, s.Window);
        Assert.Equal("hi", s.PayloadText);
        Assert.Equal(0, s.TruncatedPayloadBytes);
        Assert.Equal(0, _anomalies.Total);
    }

    [Fact]
    public void EthernetIpv4Tcp()
    {
        byte[] frame =
        [
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // destination MAC
            0x00, 0x66, 0x77, 0x88, 0x99, 0xaa, // source MAC
            0x08, 0x00,                         // EtherType IPv4
            .. Ipv4Tcp,
        ];
        var s = DecodedSegment.Decode(_decoder, LinkType.Ethernet, frame, timestampNs: 12345);
        AssertHi(s);
        Assert.Equal(12345, s.TimestampNs);
        Assert.Equal(1, _decoder.TcpSegments);
    }

    [Fact]
    public void EthernetPaddingIsTrimmedByIpTotalLength()
    {
        var frame = Concat(Ethernet(0x0800, Ipv4Tcp), new byte[6]); // padded to the 60-byte minimum
        AssertHi(DecodedSegment.Decode(_decoder, LinkType.Ethernet, frame));
    }

    [Theory]
    [InlineData(new ushort[] { 0x8100 })]                  // 802.1Q
    [InlineData(new ushort[] { 0x88a8, 0x8100 })]          // 802.1ad QinQ
    [InlineData(new ushort[] { 0x9100, 0x8100 })]          // pre-standard QinQ
    [InlineData(new ushort[] { 0x88a8, 0x9100, 0x8100 })]  // three stacked tags
    public void VlanTagsAreSkipped(ushort[] tpids)
    {
        // Ethernet header with the first TPID as EtherType, then per tag: TCI (2) + next EtherType (2).
        var tags = new List<byte>();
        for (int i = 0; i < tpids.Length; i++)
        {
            ushort next = i + 1 < tpids.Length ? tpids[i + 1] : (ushort)0x0800;
            tags.AddRange([0x00, (byte)(10 + i), (byte)(next >> 8), (byte)next]); // VLAN id 10+i
        }
        var frame = Ethernet(tpids[0], Concat(tags.ToArray(), Ipv4Tcp));
        AssertHi(DecodedSegment.Decode(_decoder, LinkType.Ethernet, frame));
    }

    [Fact]
    public void TooManyVlanTagsIsMalformed()
    {
        var decoder = new PacketDecoder(new DecoderOptions { MaxVlanTags = 1 }, _anomalies);
        var frame = Ethernet(0x8100, Concat([0, 1, 0x81, 0x00], [0, 2, 0x08, 0x00], Ipv4Tcp));
        Assert.Equal(DecodeResult.Malformed, DecodedSegment.Decode(decoder, LinkType.Ethernet, frame).Result);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.EthernetTooManyVlanTags));
    }

    [Fact]
    public void VlanTagCutShortIsMalformed()
    {
        var frame = Ethernet(0x8100, [0, 1]);
        Assert.Equal(DecodeResult.Malformed, DecodedSegment.Decode(_decoder, LinkType.Ethernet, frame).Result);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.EthernetVlanTagTruncated));
    }

    [Fact]
    public void ShortEthernetIsMalformed()
    {
        Assert.Equal(DecodeResult.Malformed, DecodedSegment.Decode(_decoder, LinkType.Ethernet, new byte[13]).Result);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.EthernetTooShort));
        Assert.Equal(1, _decoder.MalformedPackets);
    }

    [Fact]
    public void ArpIsNotTcp()
    {
        var frame = Ethernet(0x0806, new byte[28]);
        Assert.Equal(DecodeResult.NotTcp, DecodedSegment.Decode(_decoder, LinkType.Ethernet, frame).Result);
        Assert.Equal(1, _decoder.NotTcpPackets);
        Assert.Equal(0, _anomalies.Total);
    }

    [Fact]
    public void LinuxCookedV1()
    {
        byte[] frame =
        [
            0x00, 0x04,             // packet type 4: sent by us
            0x00, 0x01,             // ARPHRD_ETHER
            0x00, 0x06,             // link-layer address length 6
            0x00, 0x66, 0x77, 0x88, 0x99, 0xaa, 0x00, 0x00, // address, padded to 8
            0x08, 0x00,             // protocol IPv4
            .. Ipv4Tcp,
        ];
        AssertHi(DecodedSegment.Decode(_decoder, LinkType.LinuxSll, frame));
    }

    [Fact]
    public void LinuxCookedV2()
    {
        byte[] frame =
        [
            0x08, 0x00,             // protocol IPv4
            0x00, 0x00,             // reserved
            0x00, 0x00, 0x00, 0x02, // interface index 2
            0x00, 0x01,             // ARPHRD_ETHER
            0x04,                   // packet type 4: outgoing
            0x06,                   // address length 6
            0x00, 0x66, 0x77, 0x88, 0x99, 0xaa, 0x00, 0x00, // address, padded to 8
            .. Ipv4Tcp,
        ];
        AssertHi(DecodedSegment.Decode(_decoder, LinkType.LinuxSll2, frame));
    }

    [Fact]
    public void CookedHeadersCutShortAreMalformed()
    {
        Assert.Equal(DecodeResult.Malformed, DecodedSegment.Decode(_decoder, LinkType.LinuxSll, new byte[15]).Result);
        Assert.Equal(DecodeResult.Malformed, DecodedSegment.Decode(_decoder, LinkType.LinuxSll2, new byte[19]).Result);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.SllTooShort));
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.Sll2TooShort));
    }

    [Theory]
    [InlineData(new byte[] { 2, 0, 0, 0 })] // AF_INET written by a little-endian host
    [InlineData(new byte[] { 0, 0, 0, 2 })] // AF_INET written by a big-endian host
    public void BsdNullIpv4EitherByteOrder(byte[] family)
    {
        AssertHi(DecodedSegment.Decode(_decoder, LinkType.Null, Concat(family, Ipv4Tcp)));
    }

    [Theory]
    [InlineData(new byte[] { 24, 0, 0, 0 })] // AF_INET6 NetBSD/OpenBSD
    [InlineData(new byte[] { 28, 0, 0, 0 })] // FreeBSD
    [InlineData(new byte[] { 0, 0, 0, 30 })] // macOS, big-endian writer
    public void BsdNullIpv6Families(byte[] family)
    {
        var packet = Concat(family, Ipv6(6, Tcp("hi"u8.ToArray())));
        var s = DecodedSegment.Decode(_decoder, LinkType.Null, packet);
        Assert.Equal(DecodeResult.Tcp, s.Result);
        Assert.Equal("[2001:db8::1]:50000", s.Source.ToString());
        Assert.Equal("hi", s.PayloadText);
    }

    [Fact]
    public void BsdNullUnknownFamilyIsNotTcp()
    {
        Assert.Equal(DecodeResult.NotTcp, DecodedSegment.Decode(_decoder, LinkType.Null, Concat([7, 0, 0, 0], Ipv4Tcp)).Result);
    }

    [Fact]
    public void LoopIsNetworkOrder()
    {
        AssertHi(DecodedSegment.Decode(_decoder, LinkType.Loop, Concat([0, 0, 0, 2], Ipv4Tcp)));
    }

    [Fact]
    public void RawUsesVersionNibble()
    {
        AssertHi(DecodedSegment.Decode(_decoder, LinkType.Raw, Ipv4Tcp));
        var v6 = DecodedSegment.Decode(_decoder, LinkType.Raw, Ipv6(6, Tcp("hi"u8.ToArray())));
        Assert.Equal(DecodeResult.Tcp, v6.Result);
        Assert.Equal(DecodeResult.Malformed, DecodedSegment.Decode(_decoder, LinkType.Raw, [0x50, 0, 0]).Result);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.RawBadIpVersion));
    }

    [Fact]
    public void Ipv4AndIpv6LinkTypes()
    {
        AssertHi(DecodedSegment.Decode(_decoder, LinkType.Ipv4, Ipv4Tcp));
        Assert.Equal(DecodeResult.Tcp, DecodedSegment.Decode(_decoder, LinkType.Ipv6, Ipv6(6, Tcp([]))).Result);
        // An IPv6 packet on the IPv4 link type is wrong, not silently accepted.
        Assert.Equal(DecodeResult.Malformed, DecodedSegment.Decode(_decoder, LinkType.Ipv4, Ipv6(6, Tcp([]))).Result);
    }

    [Fact]
    public void UnknownLinkTypeIsReported()
    {
        var s = DecodedSegment.Decode(_decoder, (LinkType)105, Ipv4Tcp); // 802.11
        Assert.Equal(DecodeResult.UnsupportedLinkType, s.Result);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.UnsupportedLinkType));
        Assert.Equal(1, _decoder.UnsupportedLinkTypePackets);
    }
}
