using McpEgress.Capture;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using McpEgress.Tests.Golden;
using Xunit.Abstractions;
using Verdict = McpEgress.Decode.PacketDotNetDecoder.Verdict;

namespace McpEgress.Tests.Decode;

/// <summary>
/// PacketDotNet is the span decoder's oracle: every packet of every shipped capture (captures/**, the test fixtures)
/// is decoded by both, which must agree on the verdict and, for TCP, on addresses, ports, sequence and
/// acknowledgment numbers, flags, window and payload bytes. IP fragments are left out (PacketDotNet does not
/// reassemble; the fragment tests cover them).
/// </summary>
public class PacketDecoderOracleTests(ITestOutputHelper output)
{
    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var folder in new[] { RepoPaths.Captures, Path.Combine(RepoPaths.Root, "tests", "McpEgress.Tests", "Fixtures") })
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                         .Where(f => f.EndsWith(".pcap", StringComparison.Ordinal) || f.EndsWith(".pcapng", StringComparison.Ordinal))
                         .Order(StringComparer.Ordinal))
                data.Add(Path.GetRelativePath(RepoPaths.Root, file));
        return data;
    }

    [Fact]
    public void EveryShippedCaptureIsListed() => Assert.True(Captures().Count >= 50, $"{Captures().Count} captures");

    [Theory]
    [MemberData(nameof(Captures))]
    public void SpanDecoderAgreesWithPacketDotNet(string relativePath)
    {
        var decoder = new PacketDecoder(DecoderOptions.Default, new AnomalyCounters());
        using var reader = CaptureFile.Open(Path.Combine(RepoPaths.Root, relativePath));
        int packets = 0, tcp = 0, fragments = 0;
        while (reader.TryReadPacket(out var packet))
        {
            packets++;
            var expected = PacketDotNetDecoder.Decode(packet.LinkType, packet.Data);
            var result = decoder.Decode(packet, out var segment);
            string where = $"{relativePath} packet {packets}";
            if (expected.Verdict == Verdict.Fragment)
            {
                fragments++;
                continue;
            }
            Assert.True(Same(expected.Verdict, result), $"{where}: PacketDotNet {expected.Verdict}, span decoder {result}");
            if (result != DecodeResult.Tcp) continue;
            tcp++;
            Assert.Equal(expected.Source, segment.Source.Address.ToIPAddress());
            Assert.Equal(expected.Destination, segment.Destination.Address.ToIPAddress());
            Assert.Equal(expected.SourcePort, segment.Source.Port);
            Assert.Equal(expected.DestinationPort, segment.Destination.Port);
            Assert.Equal(expected.Sequence, segment.Sequence);
            Assert.Equal(expected.Acknowledgment, segment.Acknowledgment);
            Assert.Equal(expected.Flags, segment.Flags);
            Assert.Equal(expected.Window, segment.Window);
            Assert.True(expected.Payload.AsSpan().SequenceEqual(segment.Payload),
                $"{where}: payload {expected.Payload!.Length} bytes from PacketDotNet, {segment.Payload.Length} from the span decoder");
        }
        Assert.False(reader.Truncated, reader.TruncationReason);
        output.WriteLine($"{relativePath}: {packets} packets, {tcp} TCP compared, {fragments} fragments left out");
    }

    private static bool Same(Verdict expected, DecodeResult result) => (expected, result) switch
    {
        (Verdict.Tcp, DecodeResult.Tcp) => true,
        (Verdict.NotTcp, DecodeResult.NotTcp) => true,
        (Verdict.Malformed, DecodeResult.Malformed) => true,
        (Verdict.UnsupportedLinkType, DecodeResult.UnsupportedLinkType) => true,
        _ => false,
    };
}
