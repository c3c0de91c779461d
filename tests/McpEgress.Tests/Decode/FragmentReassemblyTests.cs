using McpEgress.Capture;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using static McpEgress.Tests.Decode.PacketBytes;

namespace McpEgress.Tests.Decode;

public class FragmentReassemblyTests
{
    private const long Second = 1_000_000_000L;
    private readonly AnomalyCounters _anomalies = new();

    // A 60-byte TCP segment (20-byte header + 40 bytes "abcd...") split at 24 and 48: fragments of 24, 24, 12 bytes.
    private static readonly byte[] Segment = Tcp("abcdefghijklmnopqrstuvwxyz0123456789ABCD"u8.ToArray(), seq: 5000);

    private static byte[] V4Fragment(int start, int end, ushort id = 77, bool? more = null, byte protocol = 6) =>
        Ipv4(protocol, Segment[start..end], id: id, moreFragments: more ?? end < Segment.Length, fragmentOffset: start);

    private static byte[] V6Fragment(int start, int end, uint id = 77) =>
        Ipv6(44, Concat(Ipv6Fragment(6, start, end < Segment.Length, id), Segment[start..end]));

    private PacketDecoder NewDecoder(DecoderOptions? options = null) => new(options ?? DecoderOptions.Default, _anomalies);

    private static DecodedSegment Feed(PacketDecoder d, byte[] packet, long ts = Second) =>
        DecodedSegment.Decode(d, LinkType.Raw, packet, ts);

    private static void AssertComplete(DecodedSegment s)
    {
        Assert.Equal(DecodeResult.Tcp, s.Result);
        Assert.Equal(5000u, s.Sequence);
        Assert.Equal("abcdefghijklmnopqrstuvwxyz0123456789ABCD", s.PayloadText);
    }

    [Fact]
    public void Ipv4InOrder()
    {
        var d = NewDecoder();
        Assert.Equal(DecodeResult.FragmentHeld, Feed(d, V4Fragment(0, 24)).Result);
        Assert.Equal(DecodeResult.FragmentHeld, Feed(d, V4Fragment(24, 48)).Result);
        Assert.Equal(1, d.FragmentDatagramsInProgress);
        AssertComplete(Feed(d, V4Fragment(48, 60)));
        Assert.Equal(0, d.FragmentDatagramsInProgress);
        Assert.Equal(2, d.FragmentsHeld);
        Assert.Equal(1, d.DatagramsReassembled);
        Assert.Equal(0, _anomalies.Total);
    }

    [Fact]
    public void Ipv4OutOfOrder()
    {
        var d = NewDecoder();
        Assert.Equal(DecodeResult.FragmentHeld, Feed(d, V4Fragment(48, 60)).Result);
        Assert.Equal(DecodeResult.FragmentHeld, Feed(d, V4Fragment(0, 24)).Result);
        AssertComplete(Feed(d, V4Fragment(24, 48)));
    }

    [Fact]
    public void Ipv4ExactDuplicateIsIgnored()
    {
        var d = NewDecoder();
        Feed(d, V4Fragment(0, 24));
        Assert.Equal(DecodeResult.FragmentHeld, Feed(d, V4Fragment(0, 24)).Result);
        Feed(d, V4Fragment(24, 48));
        AssertComplete(Feed(d, V4Fragment(48, 60)));
        Assert.Equal(0, _anomalies.Total);
    }

    [Fact]
    public void Ipv4OverlapDiscardsTheDatagram()
    {
        var d = NewDecoder();
        Feed(d, V4Fragment(0, 24));
        var overlap = Feed(d, V4Fragment(16, 48));
        Assert.Equal(DecodeResult.Malformed, overlap.Result);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.Ipv4FragmentOverlap));
        Assert.Equal(0, d.FragmentDatagramsInProgress);
        // The rest can no longer complete the discarded datagram.
        Assert.Equal(DecodeResult.FragmentHeld, Feed(d, V4Fragment(48, 60)).Result);
    }

    [Fact]
    public void DifferentIdentificationsAreSeparateDatagrams()
    {
        var d = NewDecoder();
        Feed(d, V4Fragment(0, 24, id: 1));
        Feed(d, V4Fragment(24, 48, id: 2));
        Assert.Equal(DecodeResult.FragmentHeld, Feed(d, V4Fragment(48, 60, id: 1)).Result);
        Assert.Equal(2, d.FragmentDatagramsInProgress);
        AssertComplete(Feed(d, V4Fragment(24, 48, id: 1)));
        Assert.Equal(1, d.FragmentDatagramsInProgress);
    }

    [Fact]
    public void TimeoutByPacketTimeDiscardsTheDatagram()
    {
        var d = NewDecoder(new DecoderOptions { FragmentTimeout = TimeSpan.FromSeconds(30) });
        Feed(d, V4Fragment(0, 24), ts: 0);
        Feed(d, V4Fragment(24, 48), ts: 29 * Second);
        Assert.Equal(0, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.Ipv4FragmentTimeout));
        Assert.Equal(DecodeResult.FragmentHeld, Feed(d, V4Fragment(48, 60), ts: 31 * Second).Result);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.Ipv4FragmentTimeout));
        Assert.Equal(1, d.FragmentDatagramsInProgress); // only the new datagram started by the last fragment
    }

    [Fact]
    public void FullTableDropsNewDatagrams()
    {
        var d = NewDecoder(new DecoderOptions { MaxFragmentDatagrams = 2 });
        Feed(d, V4Fragment(0, 24, id: 1));
        Feed(d, V4Fragment(0, 24, id: 2));
        Assert.Equal(DecodeResult.Malformed, Feed(d, V4Fragment(0, 24, id: 3)).Result);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.Ipv4FragmentTableFull));
        // Datagrams already held still complete.
        Feed(d, V4Fragment(24, 48, id: 2));
        AssertComplete(Feed(d, V4Fragment(48, 60, id: 2)));
    }

    [Fact]
    public void NonTcpFragmentsAreNotHeld()
    {
        var d = NewDecoder();
        Assert.Equal(DecodeResult.NotTcp, Feed(d, V4Fragment(0, 24, protocol: 17)).Result);
        Assert.Equal(0, d.FragmentDatagramsInProgress);
    }

    [Fact]
    public void DatagramLargerThanLimitIsDropped()
    {
        var d = NewDecoder();
        var p = Ipv4(6, new byte[16], id: 9, moreFragments: false, fragmentOffset: 65528);
        Assert.Equal(DecodeResult.Malformed, Feed(d, p).Result);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.Ipv4FragmentTooLarge));
    }

    [Fact]
    public void NonFinalFragmentNotMultipleOfEightIsDropped()
    {
        var d = NewDecoder();
        Assert.Equal(DecodeResult.Malformed, Feed(d, V4Fragment(0, 23, more: true)).Result);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.Ipv4FragmentBadLength));
    }

    [Fact]
    public void InconsistentLastFragmentDiscardsDatagram()
    {
        var d = NewDecoder();
        Feed(d, V4Fragment(48, 60));
        Assert.Equal(DecodeResult.Malformed, Feed(d, V4Fragment(24, 48, more: false)).Result); // a second, shorter end
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.Ipv4FragmentInconsistentLength));
    }

    [Fact]
    public void ReassembledSegmentIsValidUntilNextDecode()
    {
        var d = NewDecoder();
        Feed(d, V4Fragment(0, 24));
        Feed(d, V4Fragment(24, 48));
        var packet = V4Fragment(48, 60);
        var result = d.Decode(new CapturedPacket(LinkType.Raw, Second, packet.Length, 0, packet), out var segment);
        Assert.Equal(DecodeResult.Tcp, result);
        Assert.Equal(40, segment.Payload.Length);
        Assert.Equal((byte)'a', segment.Payload[0]);
        Assert.Equal((byte)'D', segment.Payload[^1]);
    }

    [Fact]
    public void Ipv6InOrderAndOutOfOrder()
    {
        var d = NewDecoder();
        Assert.Equal(DecodeResult.FragmentHeld, Feed(d, V6Fragment(0, 24)).Result);
        Assert.Equal(DecodeResult.FragmentHeld, Feed(d, V6Fragment(24, 48)).Result);
        var s = Feed(d, V6Fragment(48, 60));
        AssertComplete(s);
        Assert.Equal("[2001:db8::1]:50000", s.Source.ToString());

        Assert.Equal(DecodeResult.FragmentHeld, Feed(d, V6Fragment(24, 48, id: 8)).Result);
        Assert.Equal(DecodeResult.FragmentHeld, Feed(d, V6Fragment(48, 60, id: 8)).Result);
        AssertComplete(Feed(d, V6Fragment(0, 24, id: 8)));
        Assert.Equal(0, _anomalies.Total);
    }

    [Fact]
    public void Ipv6FragmentableHeadersAfterReassembly()
    {
        // Fragmentable part = destination options header + TCP; the fragment header says next header 60.
        var fragmentable = Concat([6, 0, 1, 4, 0, 0, 0, 0], Segment);
        var first = Ipv6(44, Concat(Ipv6Fragment(60, 0, true, 5), fragmentable[..32]));
        var last = Ipv6(44, Concat(Ipv6Fragment(60, 32, false, 5), fragmentable[32..]));
        var d = NewDecoder();
        Assert.Equal(DecodeResult.FragmentHeld, Feed(d, first).Result);
        AssertComplete(Feed(d, last));
    }

    [Fact]
    public void Ipv6OverlapDiscardsTheDatagram()
    {
        var d = NewDecoder();
        Feed(d, V6Fragment(0, 24));
        Assert.Equal(DecodeResult.Malformed, Feed(d, V6Fragment(8, 32)).Result);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.Ipv6FragmentOverlap));
    }

    [Fact]
    public void Ipv6TableFullAndTimeout()
    {
        var d = NewDecoder(new DecoderOptions { MaxFragmentDatagrams = 1, FragmentTimeout = TimeSpan.FromSeconds(5) });
        Feed(d, V6Fragment(0, 24, id: 1), ts: 0);
        Assert.Equal(DecodeResult.Malformed, Feed(d, V6Fragment(0, 24, id: 2), ts: Second).Result);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.Ipv6FragmentTableFull));
        Assert.Equal(DecodeResult.FragmentHeld, Feed(d, V6Fragment(0, 24, id: 2), ts: 6 * Second).Result);
        Assert.Equal(1, _anomalies.Get(AnomalyStage.Decode, DecodeAnomalies.Ipv6FragmentTimeout));
    }
}
