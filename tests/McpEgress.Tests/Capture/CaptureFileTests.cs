using McpEgress.Capture;
using static McpEgress.Tests.Capture.CaptureBytes;

namespace McpEgress.Tests.Capture;

public class CaptureFileTests
{
    [Fact]
    public void EmptyFileIsNotACapture()
    {
        var path = Path.GetTempFileName();
        try
        {
            var e = Assert.Throws<CaptureFormatException>(() => CaptureFile.Open(path));
            Assert.Contains("empty", e.Message);
            Assert.Contains(path, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData(new byte[] { 0x47 })]
    [InlineData(new byte[] { 0x47, 0x45, 0x54, 0x20, 0x2f })] // "GET /"
    [InlineData(new byte[] { 0x1f, 0x8b, 0x08, 0x00 })]       // gzip
    [InlineData(new byte[] { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0 })] // pcap magic, header cut
    public void NonCaptureBytesThrowFormatException(byte[] bytes)
    {
        var e = Assert.Throws<CaptureFormatException>(() => CapturedRecord.Open(bytes));
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MissingFilePropagatesFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => CaptureFile.Open(Path.Combine(Path.GetTempPath(), "capdec-does-not-exist.pcap")));
    }

    [Fact]
    public void NonSeekableStreamWorksWithUnknownLength()
    {
        var file = Concat(PcapHeader(false), PcapRecord(false, 1, 0, [1, 2]));
        using var reader = CaptureFile.Open(new NonSeekableStream(file));
        Assert.Equal(-1, reader.Length);
        Assert.Single(CapturedRecord.ReadAll(reader));
        Assert.Equal(file.Length, reader.Position);
    }

    [Theory]
    [InlineData("lo-ipv4.pcap")]
    [InlineData("lo-ipv4.pcapng")]
    [InlineData("lo-ipv4-dsb.pcapng")]
    [InlineData("lo-ipv6.pcap")]
    [InlineData("lo-ipv6-nsec.pcap")]
    [InlineData("lo-ipv6-nsec.pcapng")]
    [InlineData("any-sll.pcap")]
    [InlineData("any-sll2.pcap")]
    public void FixtureMatchesTsharkCountsTimestampsAndLengths(string name)
    {
        // *.expected.txt: tshark -T fields -e frame.time_epoch -e frame.len -e frame.cap_len ...
        // (see tests/McpEgress.Tests/Fixtures/capdec/README.md).
        var expected = File.ReadAllLines(CapdecFixtures.Path(name + ".expected.txt")).Select(l => l.Split(' ')).ToList();
        using var reader = CaptureFile.Open(CapdecFixtures.Path(name));
        var packets = CapturedRecord.ReadAll(reader);
        Assert.False(reader.Truncated);
        Assert.Equal(expected.Count, packets.Count);
        Assert.Equal(reader.Length, reader.Position);
        for (int i = 0; i < packets.Count; i++)
        {
            Assert.Equal(ParseEpochNs(expected[i][0]), packets[i].TimestampNs);
            Assert.Equal(int.Parse(expected[i][1]), packets[i].OriginalLength);
            Assert.Equal(int.Parse(expected[i][2]), packets[i].Data.Length);
        }
    }

    [Fact]
    public void FixtureSecretsBlockIsDelivered()
    {
        var secrets = new SecretsCollector();
        using var reader = CaptureFile.Open(CapdecFixtures.Path("lo-ipv4-dsb.pcapng"), secrets: secrets);
        CapturedRecord.ReadAll(reader);
        var (type, data) = Assert.Single(secrets.Received);
        Assert.Equal(0x544c534bu, type);
        Assert.StartsWith("CLIENT_RANDOM ", System.Text.Encoding.ASCII.GetString(data));
    }

    internal static long ParseEpochNs(string epoch)
    {
        var parts = epoch.Split('.');
        long ns = long.Parse(parts[0]) * 1_000_000_000L;
        if (parts.Length > 1) ns += long.Parse(parts[1].PadRight(9, '0')[..9]);
        return ns;
    }

    private sealed class NonSeekableStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        // One byte at a time: the reader must loop over short reads.
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
