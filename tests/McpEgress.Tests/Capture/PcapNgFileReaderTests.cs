using McpEgress.Capture;
using McpEgress.Diagnostics;
using static McpEgress.Tests.Capture.CaptureBytes;

namespace McpEgress.Tests.Capture;

public class PcapNgFileReaderTests
{
    [Fact]
    public void ReadsMinimalLittleEndianFileFromLiteral()
    {
        byte[] file =
        [
            // Section Header Block
            0x0a, 0x0d, 0x0d, 0x0a, // block type
            0x1c, 0x00, 0x00, 0x00, // total length 28
            0x4d, 0x3c, 0x2b, 0x1a, // byte-order magic 0x1A2B3C4D, little-endian
            0x01, 0x00, 0x00, 0x00, // version 1.0
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // section length -1
            0x1c, 0x00, 0x00, 0x00, // total length 28
            // Interface Description Block
            0x01, 0x00, 0x00, 0x00, // block type 1
            0x14, 0x00, 0x00, 0x00, // total length 20
            0x65, 0x00, 0x00, 0x00, // link type 101 (raw), reserved
            0x00, 0x00, 0x04, 0x00, // snaplen 262144
            0x14, 0x00, 0x00, 0x00, // total length 20
            // Enhanced Packet Block
            0x06, 0x00, 0x00, 0x00, // block type 6
            0x24, 0x00, 0x00, 0x00, // total length 36
            0x00, 0x00, 0x00, 0x00, // interface 0
            0x00, 0x00, 0x00, 0x00, // timestamp high
            0x40, 0x42, 0x0f, 0x00, // timestamp low 1000000 (µs, default if_tsresol 6) = 1 s
            0x03, 0x00, 0x00, 0x00, // captured length 3
            0x03, 0x00, 0x00, 0x00, // original length 3
            0x45, 0x00, 0x00, 0x00, // data 45 00 00 + 1 byte padding
            0x24, 0x00, 0x00, 0x00, // total length 36
        ];
        using var reader = CapturedRecord.Open(file);
        var ng = Assert.IsType<PcapNgFileReader>(reader);
        var p = Assert.Single(CapturedRecord.ReadAll(reader));
        Assert.Equal(LinkType.Raw, p.LinkType);
        Assert.Equal(1_000_000_000L, p.TimestampNs);
        Assert.Equal(new byte[] { 0x45, 0, 0 }, p.Data);
        Assert.Equal(262144u, ng.Interfaces[0].SnapLength);
        Assert.False(reader.Truncated);
        Assert.Equal(file.Length, reader.Position);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsEnhancedSimpleAndObsoletePacketBlocks(bool be)
    {
        var file = Concat(
            Shb(be),
            Idb(be, linkType: 1, snapLength: 4),
            Epb(be, 0, 5_000_000, [1, 2, 3, 4, 5, 6], origLength: 60),
            Spb(be, 10, [7, 8, 9, 10, 11, 12]), // snaplen 4 limits the SPB's data
            Pb(be, 0, 7_000_000, [13]));
        using var reader = CapturedRecord.Open(file);
        Assert.Equal(be, ((PcapNgFileReader)reader).BigEndian);
        var packets = CapturedRecord.ReadAll(reader);
        Assert.Equal(3, packets.Count);
        Assert.Equal(5_000_000_000L, packets[0].TimestampNs);
        Assert.Equal(60, packets[0].OriginalLength);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, packets[0].Data);
        Assert.Equal(new byte[] { 7, 8, 9, 10 }, packets[1].Data);
        Assert.Equal(10, packets[1].OriginalLength);
        Assert.Equal(5_000_000_000L, packets[1].TimestampNs); // SPB has no timestamp: previous packet's
        Assert.Equal(7_000_000_000L, packets[2].TimestampNs);
        Assert.Equal(new byte[] { 13 }, packets[2].Data);
        Assert.False(reader.Truncated);
    }

    [Fact]
    public void SimplePacketBlockDataLimitedByOriginalLength()
    {
        // Body is padded to 4 bytes; the original length says only 2 are packet data.
        var file = Concat(Shb(false), Idb(false), Spb(false, 2, [1, 2]));
        using var reader = CapturedRecord.Open(file);
        Assert.Equal(new byte[] { 1, 2 }, Assert.Single(CapturedRecord.ReadAll(reader)).Data);
    }

    [Fact]
    public void SeveralSectionsInBothByteOrdersEachResetInterfaces()
    {
        var anomalies = new AnomalyCounters();
        var file = Concat(
            Shb(false), Idb(false, linkType: 1), Idb(false, linkType: 113),
            Epb(false, 1, 1_000_000, [1]),
            Shb(true), Idb(true, linkType: 276),
            Epb(true, 0, 2_000_000, [2]),
            Epb(true, 1, 3_000_000, [3]), // interface 1 belonged to the first section: unknown here
            Shb(false), Idb(false, linkType: 101),
            Epb(false, 0, 4_000_000, [4]));
        using var reader = CapturedRecord.Open(file, anomalies: anomalies);
        var packets = CapturedRecord.ReadAll(reader);
        Assert.Equal([LinkType.LinuxSll, LinkType.LinuxSll2, LinkType.Raw], packets.Select(p => p.LinkType));
        Assert.Equal([1, 0, 0], packets.Select(p => p.InterfaceId));
        Assert.Equal([1_000_000_000L, 2_000_000_000L, 4_000_000_000L], packets.Select(p => p.TimestampNs));
        Assert.Equal(3, ((PcapNgFileReader)reader).Sections);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Capture, CaptureAnomalies.PcapngUnknownInterface));
        Assert.False(reader.Truncated);
    }

    [Theory]
    [InlineData((byte)6, 1_500_000UL, 1_500_000_000L)]              // default-equal: microseconds
    [InlineData((byte)9, 1_500_000_123UL, 1_500_000_123L)]          // nanoseconds
    [InlineData((byte)3, 1_500UL, 1_500_000_000L)]                  // milliseconds
    [InlineData((byte)0, 2UL, 2_000_000_000L)]                      // seconds
    [InlineData((byte)12, 1_500_000_000_999UL, 1_500_000_000L)]     // picoseconds, truncated to ns
    [InlineData((byte)0x80, 3UL, 3_000_000_000L)]                   // 2^-0: seconds
    [InlineData((byte)0x81, 3UL, 1_500_000_000L)]                   // 2^-1: half seconds
    [InlineData((byte)0x94, 1UL << 20, 1_000_000_000L)]             // 2^-20
    [InlineData((byte)0x9e, (1UL << 30) + (1UL << 29), 1_500_000_000L)] // 2^-30
    public void TimestampResolutionOption(byte tsresol, ulong raw, long expectedNs)
    {
        foreach (bool be in new[] { false, true })
        {
            var file = Concat(Shb(be), Idb(be, tsresol: tsresol), Epb(be, 0, raw, [1]));
            using var reader = CapturedRecord.Open(file);
            Assert.Equal(expectedNs, Assert.Single(CapturedRecord.ReadAll(reader)).TimestampNs);
        }
    }

    [Fact]
    public void TimestampOffsetOptionAddsSeconds()
    {
        var file = Concat(Shb(true), Idb(true, tsresol: 9, tsoffset: 1_700_000_000), Epb(true, 0, 42, [1]));
        using var reader = CapturedRecord.Open(file);
        Assert.Equal(1_700_000_000_000_000_042L, Assert.Single(CapturedRecord.ReadAll(reader)).TimestampNs);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DecryptionSecretsBlocksGoToTheSinkAndUnknownBlocksAreSkipped(bool be)
    {
        var secrets = new SecretsCollector();
        var keyLog = "CLIENT_RANDOM 00 11\n"u8.ToArray();
        var file = Concat(
            Shb(be), Idb(be),
            Block(be, 0x00000004, [1, 2, 3, 4, 5, 6, 7, 8]),          // Name Resolution Block
            Block(be, 0x00000005, new byte[20]),                      // Interface Statistics Block
            Block(be, 0x00000BAD, [0xff, 0xff, 0xff]),                // custom / unknown, padded
            Epb(be, 0, 1, [1]),
            Dsb(be, 0x544c534b, keyLog),                              // "TLSK"
            Block(be, 0x40000BAD, new byte[1000]),
            Epb(be, 0, 2, [2]));
        using var reader = CapturedRecord.Open(file, secrets: secrets);
        var packets = CapturedRecord.ReadAll(reader);
        Assert.Equal(2, packets.Count);
        var (type, data) = Assert.Single(secrets.Received);
        Assert.Equal(0x544c534bu, type);
        Assert.Equal(keyLog, data);
        Assert.False(reader.Truncated);
    }

    [Fact]
    public void OversizedSecretsBlockIsSkippedAndReported()
    {
        var secrets = new SecretsCollector();
        var anomalies = new AnomalyCounters();
        var file = Concat(Shb(false), Idb(false), Dsb(false, 0x544c534b, new byte[200]), Epb(false, 0, 1, [1]));
        using var reader = CapturedRecord.Open(file, new CaptureReaderOptions { MaxSecretsBytes = 100 }, secrets, anomalies);
        Assert.Single(CapturedRecord.ReadAll(reader));
        Assert.Empty(secrets.Received);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Capture, CaptureAnomalies.PcapngSecretsTooLarge));
    }

    [Theory]
    [InlineData(0x7FFF_FFF0u)] // huge length: must not be allocated
    [InlineData(13u)]          // not a multiple of 4
    [InlineData(8u)]           // below the 12-byte minimum
    public void BadBlockLengthStopsAsTruncated(uint length)
    {
        var file = Concat(Shb(false), Idb(false), Epb(false, 0, 1, [1]), U32(false, 6), U32(false, length), new byte[64]);
        using var reader = CapturedRecord.Open(file);
        Assert.Single(CapturedRecord.ReadAll(reader));
        Assert.True(reader.Truncated);
        Assert.NotNull(reader.TruncationReason);
    }

    [Fact]
    public void TrailerMismatchStops()
    {
        var epb = Epb(false, 0, 1, [1]);
        epb[^4] ^= 0x40;
        var file = Concat(Shb(false), Idb(false), Epb(false, 0, 1, [1]), epb, Epb(false, 0, 1, [1]));
        var anomalies = new AnomalyCounters();
        using var reader = CapturedRecord.Open(file, anomalies: anomalies);
        Assert.Single(CapturedRecord.ReadAll(reader));
        Assert.True(reader.Truncated);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Capture, CaptureAnomalies.PcapngBlockLengthMismatch));
    }

    [Fact]
    public void CapturedLengthBeyondBlockIsSkipped()
    {
        var bad = Epb(false, 0, 1, [1, 2, 3, 4]);
        bad[8 + 12] = 200; // captured length 200 in a block holding 4 bytes
        var anomalies = new AnomalyCounters();
        var file = Concat(Shb(false), Idb(false), bad, Epb(false, 0, 2, [9]));
        using var reader = CapturedRecord.Open(file, anomalies: anomalies);
        Assert.Equal(new byte[] { 9 }, Assert.Single(CapturedRecord.ReadAll(reader)).Data);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Capture, CaptureAnomalies.PcapngPacketExceedsBlock));
    }

    [Fact]
    public void OversizedUnknownBlockIsSkippedWithoutBuffering()
    {
        var anomalies = new AnomalyCounters();
        var file = Concat(Shb(false), Idb(false), Block(false, 0x00000BAD, new byte[5000]), Epb(false, 0, 1, [7]));
        using var reader = CapturedRecord.Open(file, new CaptureReaderOptions { MaxBlockBytes = 1024 }, anomalies: anomalies);
        Assert.Equal(new byte[] { 7 }, Assert.Single(CapturedRecord.ReadAll(reader)).Data);
        Assert.Equal(1, anomalies.Get(AnomalyStage.Capture, CaptureAnomalies.PcapngBlockTooLarge));
        Assert.False(reader.Truncated);
    }

    [Fact]
    public void EnhancedPacketOptionsAfterDataAreIgnored()
    {
        // EPB body: header (20), data (2 + 2 padding), epb_flags option (code 2, length 4), end of options.
        var body = Concat(U32(false, 0), U32(false, 0), U32(false, 1_000_000), U32(false, 2), U32(false, 2), [0xab, 0xcd, 0, 0],
            Option(false, 2, [1, 0, 0, 0]), EndOfOptions);
        var file = Concat(Shb(false), Idb(false), Block(false, 6, body));
        using var reader = CapturedRecord.Open(file);
        var p = Assert.Single(CapturedRecord.ReadAll(reader));
        Assert.Equal(new byte[] { 0xab, 0xcd }, p.Data);
        Assert.Equal(1_000_000_000L, p.TimestampNs);
    }

    [Fact]
    public void PacketBeforeAnyInterfaceIsSkipped()
    {
        var anomalies = new AnomalyCounters();
        var file = Concat(Shb(false), Epb(false, 0, 1, [1]), Spb(false, 1, [2]), Idb(false), Epb(false, 0, 1, [3]));
        using var reader = CapturedRecord.Open(file, anomalies: anomalies);
        Assert.Equal(new byte[] { 3 }, Assert.Single(CapturedRecord.ReadAll(reader)).Data);
        Assert.Equal(2, anomalies.Get(AnomalyStage.Capture, CaptureAnomalies.PcapngUnknownInterface));
    }

    [Fact]
    public void SectionHeaderWithBadByteOrderMagicIsNotACapture()
    {
        var shb = Shb(false);
        shb[8] = 0x00;
        Assert.Throws<CaptureFormatException>(() => CapturedRecord.Open(shb));
    }
}
