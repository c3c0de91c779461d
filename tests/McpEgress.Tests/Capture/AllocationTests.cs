using McpEgress.Capture;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using Xunit.Abstractions;
using static McpEgress.Tests.Capture.CaptureBytes;

namespace McpEgress.Tests.Capture;

/// <summary>Reading and decoding allocate nothing per packet once warm (measured, not timed).</summary>
public class AllocationTests(ITestOutputHelper output)
{
    private const int Packets = 2000;

    private static byte[] Frame(int i)
    {
        // Ethernet + IPv4 + TCP with a 100-byte payload; the sequence number varies.
        var tcp = Tests.Decode.PacketBytes.Tcp(new byte[100], seq: (uint)i);
        return Tests.Decode.PacketBytes.Ethernet(0x0800, Tests.Decode.PacketBytes.Ipv4(6, tcp));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadAndDecodeAllocateNothingPerPacket(bool pcapng)
    {
        var parts = new List<byte[]>();
        if (pcapng) { parts.Add(Shb(false)); parts.Add(Idb(false, tsresol: 9)); }
        else parts.Add(PcapHeader(false));
        for (int i = 0; i < Packets; i++)
            parts.Add(pcapng ? Epb(false, 0, (ulong)i * 1000, Frame(i)) : PcapRecord(false, (uint)i, 0, Frame(i)));

        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, Concat(parts.ToArray()));
            var decoder = new PacketDecoder(DecoderOptions.Default, new AnomalyCounters());
            using var reader = CaptureFile.Open(path);
            long segments = 0;
            for (int i = 0; i < 10 && reader.TryReadPacket(out var p); i++)
                if (decoder.Decode(p, out _) == DecodeResult.Tcp) segments++;

            long before = GC.GetAllocatedBytesForCurrentThread();
            while (reader.TryReadPacket(out var p))
                if (decoder.Decode(p, out _) == DecodeResult.Tcp) segments++;
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            output.WriteLine($"{allocated} bytes allocated for {Packets - 10} packets (pcapng: {pcapng})");
            Assert.Equal(Packets, segments);
            Assert.True(allocated < 1024, $"{allocated} bytes allocated for {Packets - 10} packets");
        }
        finally { File.Delete(path); }
    }
}
