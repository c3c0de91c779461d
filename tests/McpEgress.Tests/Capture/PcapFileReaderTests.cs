using McpEgress.Capture;
using McpEgress.Diagnostics;
using static McpEgress.Tests.Capture.CaptureBytes;

namespace McpEgress.Tests.Capture;

public class PcapFileReaderTests
{
    [Fact]
    public void ReadsLittleEndianMicrosecondFileFromLiteral()
    {
        byte[] file =
        [
            0xd4, 0xc3, 0xb2, 0xa1, // magic 0xa1b2c3d4 little-endian: microseconds
            0x02, 0x00, 0x04, 0x00, // version 2.4
            0x00, 0x00, 0x00, 0x00, // thiszone
            0x00, 0x00, 0x00, 0x00, // sigfigs
            0xff, 0xff, 0x00, 0x00, // snaplen 65535
            0x01, 0x00, 0x00, 0x00, // network 1 = Ethernet
            // record 1
            0x10, 0x00, 0x00, 0x00, // ts_sec 16
            0x3f, 0x42, 0x0f, 0x00, // ts_usec 999999
            0x03, 0x00, 0x00, 0x00, // incl_len 3
            0x05, 0x00, 0x00, 0x00, // orig_len 5 (snap length cut)
            0xaa, 0xbb, 0xcc,       // data
        ];

        using var reader = CapturedRecord.Open(file);
        var pcap = Assert.IsType<PcapFileReader>(reader);
        Assert.Equal(LinkType.Ethernet, pcap.LinkType);
        Assert.Equal(65535u, pcap.SnapLength);
        Assert.False(pcap.BigEndian);
        var packets = CapturedRecord.ReadAll(reader);
        var p = Assert.Single(packets);
        Assert.Equal(16_999_999_000L, p.TimestampNs);
        Assert.Equal(5, p.OriginalLength);
        Assert.Equal(new byte[] { 0xaa, 0xbb, 0xcc }, p.Data);
        Assert.False(reader.Truncated);
        Assert.Null(reader.TruncationReason);
        Assert.Equal(file.Length, reader.Position);
        Assert.Equal(file.Length, reader.Length);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void ReadsBothByteOrdersAndResolutions(bool be, bool nano)
    {
        var file = Concat(
            PcapHeader(be, nano, 262144, 113),
            PcapRecord(be, 1_700_000_000, 123_456, [1, 2, 3, 4]),
            PcapRecord(be, 1_700_000_001, 999, [5]));
        using var reader = CapturedRecord.Open(file);
        var pcap = Assert.IsType<PcapFileReader>(reader);
        Assert.Equal(be, pcap.BigEndian);
        Assert.Equal(nano, pcap.Nanosecond);
        var packets = CapturedRecord.ReadAll(reader);
        Assert.Equal(2, packets.Count);
        long unit = nano ? 1 : 1000;
        Assert.Equal(1_700_000_000L * 1_000_000_000 + 123_456 * unit, packets[0].TimestampNs);
        Assert.Equal(1_700_000_001L * 1_000_000_000 + 999 * unit, packets[1].TimestampNs);
        Assert.All(packets, p => Assert.Equal(LinkType.LinuxSll, p.LinkType));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, packets[0].Data);
        Assert.Equal(new byte[] { 5 }, packets[1].Data);
        Assert.False(reader.Truncated);
    }

    [Fact]
    public void LinkTypeIgnoresFcsBitsInUpperHalf()
    {
        // Bits 28-31 of the link-type field carry the FCS length (draft-ietf-opsawg-pcap section 4).
        var file = Concat(PcapHeader(false, linkType: 0x1000_0001), PcapRecord(false, 1, 0, [9]));
        using var reader = CapturedRecord.Open(file);
        Assert.Equal(LinkType.Ethernet, ((PcapFileReader)reader).LinkType);
    }

    [Fact]
    public void RecordLargerThanLimitStopsWithoutAllocating()
    {
        var anomalies = new AnomalyCounters();
        // Record header claims 0x7FFFFFFF captured bytes; only 4 bytes follow.
        var file = Concat(PcapHeader(false), PcapRecord(false, 1, 0, [1]),
            U32(false, 2), U32(false, 0), U32(false, 0x7FFF_FFFF), U32(false, 0x7FFF_FFFF), [1, 2, 3, 4]);
        using var reader = CapturedRecord.Open(file, anomalies: anomalies);
        var packets = CapturedRecord.ReadAll(reader);
        Assert.Single(packets);
        Assert.True(reader.Truncated);
        Assert.Contains("limit", reader.TruncationReason);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Capture, CaptureAnomalies.CaptureTruncated));
    }

    [Fact]
    public void CustomRecordLimitApplies()
    {
        var file = Concat(PcapHeader(false), PcapRecord(false, 1, 0, new byte[100]), PcapRecord(false, 2, 0, new byte[101]));
        using var reader = CapturedRecord.Open(file, new CaptureReaderOptions { MaxRecordBytes = 100 });
        Assert.Single(CapturedRecord.ReadAll(reader));
        Assert.True(reader.Truncated);
    }

    [Fact]
    public void CaplenAboveSnaplenIsAnAnomalyButRead()
    {
        var anomalies = new AnomalyCounters();
        var file = Concat(PcapHeader(false, snapLength: 2), PcapRecord(false, 1, 0, [1, 2, 3]));
        using var reader = CapturedRecord.Open(file, anomalies: anomalies);
        Assert.Single(CapturedRecord.ReadAll(reader));
        Assert.Equal(1, anomalies.Get(AnomalyStage.Capture, CaptureAnomalies.PcapCaplenExceedsSnaplen));
    }

    [Fact]
    public void OrigLenBelowCaplenIsRaised()
    {
        var anomalies = new AnomalyCounters();
        var file = Concat(PcapHeader(false), PcapRecord(false, 1, 0, [1, 2, 3], origLength: 1));
        using var reader = CapturedRecord.Open(file, anomalies: anomalies);
        Assert.Equal(3, Assert.Single(CapturedRecord.ReadAll(reader)).OriginalLength);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Capture, CaptureAnomalies.PcapOriglenBelowCaplen));
    }

    [Fact]
    public void ModifiedPcapRecordsHaveEightExtraHeaderBytes()
    {
        // 0xa1b2cd34: record header = 16 standard bytes + ifindex (4), protocol (2), pkt_type (1), pad (1).
        var file = Concat(U32(false, 0xa1b2cd34), U16(false, 2), U16(false, 4), U32(false, 0), U32(false, 0), U32(false, 65535), U32(false, 1),
            U32(false, 5), U32(false, 6), U32(false, 2), U32(false, 2), new byte[8], [0xde, 0xad]);
        using var reader = CapturedRecord.Open(file);
        var p = Assert.Single(CapturedRecord.ReadAll(reader));
        Assert.Equal(5_000_006_000L, p.TimestampNs);
        Assert.Equal(new byte[] { 0xde, 0xad }, p.Data);
    }

    [Fact]
    public void ReusesOneBufferAcrossPackets()
    {
        var file = Concat(PcapHeader(false), PcapRecord(false, 1, 0, [1, 2]), PcapRecord(false, 2, 0, [3, 4]));
        using var reader = CapturedRecord.Open(file);
        Assert.True(reader.TryReadPacket(out var first));
        ref readonly byte a = ref first.Data[0];
        Assert.True(reader.TryReadPacket(out var second));
        ref readonly byte b = ref second.Data[0];
        Assert.True(System.Runtime.CompilerServices.Unsafe.AreSame(ref System.Runtime.CompilerServices.Unsafe.AsRef(in a),
            ref System.Runtime.CompilerServices.Unsafe.AsRef(in b)));
    }
}
