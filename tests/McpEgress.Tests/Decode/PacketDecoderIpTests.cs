using McpEgress.Capture;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using static McpEgress.Tests.Decode.PacketBytes;

namespace McpEgress.Tests.Decode;

public class PacketDecoderIpTests
{
    private readonly AnomalyCounters _anomalies = new();
    private readonly PacketDecoder _decoder;

    public PacketDecoderIpTests() => _decoder = new PacketDecoder(DecoderOptions.Default, _anomalies);

    private DecodedSegment Raw(byte[] packet, int? originalLength = null) =>
        DecodedSegment.Decode(_decoder, LinkType.Raw, packet, originalLength: originalLength);

    private void AssertMalformed(byte[] packet, string anomaly, int? originalLength = null)
    {
        Assert.Equal(DecodeResult.Malformed, Raw(packet, originalLength).Result);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, anomaly));
    }

    [Fact]
    public void Ipv4OptionsAreSkipped()
    {
        // IHL 7: 8 bytes of options (NOP x3, end, padding).
        var s = Raw(Ipv4(6, Tcp("data"u8.ToArray()), options: [1, 1, 1, 0, 0, 0, 0, 0]));
        Assert.Equal(DecodeResult.Tcp, s.Result);
        Assert.Equal("data", s.PayloadText);
    }

    [Fact]
    public void Ipv4HeaderLengthBelowFiveIsMalformed()
    {
        var p = Ipv4(6, Tcp([]));
        p[0] = 0x44; // IHL 4 = 16 bytes
        AssertMalformed(p, "ipv4_bad_header_length");
    }

    [Fact]
    public void Ipv4HeaderLengthBeyondPacketIsMalformed()
    {
        var p = Ipv4(6, []);
        p[0] = 0x4f; // IHL 15 = 60 bytes, only 20 present
        AssertMalformed(p, "ipv4_bad_header_length");
    }

    [Fact]
    public void Ipv4TotalLengthBelowHeaderIsMalformed() =>
        AssertMalformed(Ipv4(6, Tcp([]), totalLength: 19), "ipv4_bad_total_length");

    [Fact]
    public void Ipv4ShortIsMalformed() => AssertMalformed([0x45, 0, 0, 20], "ipv4_too_short");

    [Fact]
    public void Ipv4UdpIsNotTcp()
    {
        Assert.Equal(DecodeResult.NotTcp, Raw(Ipv4(17, new byte[8])).Result);
        Assert.Equal(0, _anomalies.Total);
    }

    [Fact]
    public void Ipv4ZeroTotalLengthFromSegmentationOffloadUsesCapturedLength()
    {
        var s = Raw(Ipv4(6, Tcp("abc"u8.ToArray()), totalLength: 0));
        Assert.Equal(DecodeResult.Tcp, s.Result);
        Assert.Equal("abc", s.PayloadText);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.Ipv4ZeroTotalLength));
    }

    [Fact]
    public void SnapLengthCutPayloadIsReturnedWithMissingCount()
    {
        // The IP datagram says 20 + 20 + 10 bytes; the capture kept 20 + 20 + 4 (snap length), wire length 50.
        var full = Ipv4(6, Tcp("0123456789"u8.ToArray()));
        var s = Raw(full[..44], originalLength: full.Length);
        Assert.Equal(DecodeResult.Tcp, s.Result);
        Assert.Equal("0123", s.PayloadText);
        Assert.Equal(6, s.TruncatedPayloadBytes);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.PayloadTruncatedBySnaplen));

        // The next packet resets the count.
        Assert.Equal(0, Raw(full).TruncatedPayloadBytes);
    }

    [Fact]
    public void TotalLengthBeyondPacketWithoutSnapCutIsReportedDifferently()
    {
        var full = Ipv4(6, Tcp("0123456789"u8.ToArray()));
        var s = Raw(full[..44]); // original length = captured length: the IP header lies
        Assert.Equal(DecodeResult.Tcp, s.Result);
        Assert.Equal(6, s.TruncatedPayloadBytes);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.Ipv4TotalLengthExceedsPacket));
        Assert.Equal(0, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.PayloadTruncatedBySnaplen));
    }

    [Fact]
    public void SnapLengthCutInsideTcpHeaderIsMalformed()
    {
        var full = Ipv4(6, Tcp("0123456789"u8.ToArray()));
        AssertMalformed(full[..30], "tcp_header_truncated", originalLength: full.Length);
    }

    [Fact]
    public void TcpOptionsAreSkipped()
    {
        // Data offset 8: MSS (4 bytes), SACK-permitted (2), NOP, NOP, window scale (3), NOP.
        var s = Raw(Ipv4(6, Tcp("x"u8.ToArray(), flags: 0x02, options: [2, 4, 5, 0xb4, 4, 2, 1, 1, 3, 3, 7, 1])));
        Assert.Equal(DecodeResult.Tcp, s.Result);
        Assert.Equal(TcpFlags.Syn, s.Flags);
        Assert.Equal("x", s.PayloadText);
    }

    [Fact]
    public void TcpDataOffsetBelowFiveIsMalformed()
    {
        var tcp = Tcp("x"u8.ToArray());
        tcp[12] = 0x40;
        AssertMalformed(Ipv4(6, tcp), "tcp_bad_data_offset");
    }

    [Fact]
    public void TcpDataOffsetBeyondSegmentIsMalformed()
    {
        var tcp = Tcp("x"u8.ToArray());
        tcp[12] = 0xf0; // 60 bytes of header in a 21-byte segment
        AssertMalformed(Ipv4(6, tcp), "tcp_bad_data_offset");
    }

    [Fact]
    public void TcpShorterThanHeaderIsMalformed() => AssertMalformed(Ipv4(6, new byte[19]), "tcp_too_short");

    [Fact]
    public void Ipv6PayloadLengthTrimsTrailingBytes()
    {
        var p = Concat(Ipv6(6, Tcp("hello"u8.ToArray())), [0xde, 0xad]);
        var s = Raw(p);
        Assert.Equal(DecodeResult.Tcp, s.Result);
        Assert.Equal("hello", s.PayloadText);
        Assert.Equal("[2001:db8::2]:25", s.Destination.ToString());
    }

    [Fact]
    public void Ipv6ExtensionHeadersAreFollowed()
    {
        var payload = Concat(
            [43, 0, 0, 0, 0, 0, 0, 0],                                   // hop-by-hop: next routing, length 0 (8 bytes), PadN
            [60, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], // routing: next dest-opts, length 2 (24 bytes)
            [51, 0, 1, 4, 0, 0, 0, 0],                                   // destination options: next AH, 8 bytes
            [44, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], // AH: next fragment, payload length 4 -> 24 bytes
            Ipv6Fragment(6, 0, false, 7),                                // atomic fragment (RFC 6946): not reassembled
            Tcp("ext"u8.ToArray()));
        var s = Raw(Ipv6(0, payload));
        Assert.Equal(DecodeResult.Tcp, s.Result);
        Assert.Equal("ext", s.PayloadText);
        Assert.Equal(0, _anomalies.Total);
        Assert.Equal(0, _decoder.FragmentDatagramsInProgress);
    }

    [Theory]
    [InlineData((byte)50)] // ESP: encrypted, cannot be followed
    [InlineData((byte)59)] // no next header
    [InlineData((byte)17)] // UDP
    [InlineData((byte)58)] // ICMPv6
    public void Ipv6NonTcpNextHeaders(byte next)
    {
        Assert.Equal(DecodeResult.NotTcp, Raw(Ipv6(next, new byte[16])).Result);
    }

    [Fact]
    public void Ipv6ExtensionHeaderBeyondPayloadIsMalformed() =>
        AssertMalformed(Ipv6(60, [6, 3, 0, 0, 0, 0, 0, 0]), "ipv6_ext_header_truncated"); // claims 32 bytes, 8 present

    [Fact]
    public void Ipv6TooManyExtensionHeadersIsMalformed()
    {
        var decoder = new PacketDecoder(new DecoderOptions { MaxIpv6ExtensionHeaders = 2 }, _anomalies);
        var p = Ipv6(60, Concat([60, 0, 0, 0, 0, 0, 0, 0], [60, 0, 0, 0, 0, 0, 0, 0], [6, 0, 0, 0, 0, 0, 0, 0], Tcp([])));
        Assert.Equal(DecodeResult.Malformed, DecodedSegment.Decode(decoder, LinkType.Raw, p).Result);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.Ipv6TooManyExtHeaders));
    }

    [Fact]
    public void Ipv6SnapLengthCutPayload()
    {
        var full = Ipv6(6, Tcp("0123456789"u8.ToArray()));
        var s = Raw(full[..(40 + 20 + 3)], originalLength: full.Length);
        Assert.Equal("012", s.PayloadText);
        Assert.Equal(7, s.TruncatedPayloadBytes);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.PayloadTruncatedBySnaplen));
    }

    [Fact]
    public void Ipv6ShortIsMalformed() => AssertMalformed(new byte[] { 0x60, 0, 0, 0, 0, 0, 6, 64 }, "ipv6_too_short");
}
