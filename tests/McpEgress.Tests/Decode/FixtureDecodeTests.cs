using McpEgress.Capture;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using McpEgress.Tests.Capture;

namespace McpEgress.Tests.Decode;

/// <summary>Real tcpdump captures decoded and compared field by field with tshark's reading (see Fixtures/capdec).</summary>
public class FixtureDecodeTests
{
    [Theory]
    [InlineData("lo-ipv4.pcap")]
    [InlineData("lo-ipv4.pcapng")]
    [InlineData("lo-ipv6-nsec.pcapng")]
    [InlineData("any-sll.pcap")]
    [InlineData("any-sll2.pcap")]
    public void DecodedSegmentsMatchTshark(string name)
    {
        // Columns: time_epoch len cap_len ip.src ipv6.src srcport dstport seq_raw ack_raw flags tcp.len
        var expected = File.ReadAllLines(CapdecFixtures.Path(name + ".expected.txt")).Select(l => l.Split(' ')).ToList();
        var anomalies = new AnomalyCounters();
        var decoder = new PacketDecoder(DecoderOptions.Default, anomalies);
        using var reader = CaptureFile.Open(CapdecFixtures.Path(name));
        int i = 0;
        var text = new System.Text.StringBuilder();
        while (reader.TryReadPacket(out var packet))
        {
            var e = expected[i++];
            Assert.Equal(DecodeResult.Tcp, decoder.Decode(packet, out var s));
            string source = e[3].Length > 0 ? e[3] : e[4];
            Assert.Equal(source, s.Source.Address.ToString());
            Assert.Equal(ushort.Parse(e[5]), s.Source.Port);
            Assert.Equal(ushort.Parse(e[6]), s.Destination.Port);
            Assert.Equal(uint.Parse(e[7]), s.Sequence);
            Assert.Equal(uint.Parse(e[8]), s.Acknowledgment);
            Assert.Equal(Convert.ToByte(e[9], 16), (byte)s.Flags);
            Assert.Equal(int.Parse(e[10]), s.Payload.Length);
            Assert.Equal(CaptureFileTests.ParseEpochNs(e[0]), s.TimestampNs);
            text.Append(System.Text.Encoding.ASCII.GetString(s.Payload));
        }
        Assert.Equal(expected.Count, i);
        Assert.Equal(0, anomalies.Total);
        Assert.Contains("RCPT TO:<c@d.example>\r\n", text.ToString());
    }
}
