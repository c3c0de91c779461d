using System.Diagnostics;
using McpEgress.Capture;
using McpEgress.Decode;
using McpEgress.Detection;
using McpEgress.Config;
using McpEgress.Diagnostics;
using McpEgress.Export;
using McpEgress.Pipeline;
using SharpPcap;
using SharpPcap.LibPcap;

namespace McpEgress.Benchmarks;

/// <summary>
/// Our pcap reader against SharpPcap's <see cref="CaptureFileReaderDevice"/> (libpcap), and the span decoder against
/// PacketDotNet, on one capture: read MB/s and bytes allocated per packet, decode ns and bytes per packet, and the
/// whole replay with each. Best of three runs each; the file should be in the page cache.
/// </summary>
internal static class LibraryBenchmark
{
    private delegate void PacketAction(in CapturedPacket packet);

    public static int Run(string path, int rounds = 5)
    {
        long size = new FileInfo(path).Length;
        Console.WriteLine($"{path}: {size / 1e6:F0} MB; best of {rounds} interleaved rounds");
        var frames = Load(path);
        var decoder = new PacketDecoder(DecoderOptions.Default, new AnomalyCounters());
        var buffer = new byte[262144 + 4096];
        var variants = new (string Label, Func<Timing> Body)[]
        {
            ("read: McpEgress PcapFileReader", () => ReadOurs(path, static (in CapturedPacket _) => { })),
            ("read: SharpPcap GetNextPacket", () => ReadSharpPcap(path, pointers: false, null)),
            ("read: SharpPcap GetNextPacketPointers", () => ReadSharpPcap(path, pointers: true, null)),
            ("decode: span PacketDecoder", () => DecodeAll(frames, f => decoder.Decode(new CapturedPacket(f.LinkType, 0, f.Data.Length, 0, f.Data), out _))),
            ("decode: PacketDotNet, fields + payload view", () => DecodeAll(frames, f => PacketDotNetView(f.LinkType, f.Data, buffer))),
            ("decode: PacketDotNet oracle (copies payload)", () => DecodeAll(frames, f => PacketDotNetDecoder.Decode(f.LinkType, f.Data))),
            ("replay: McpEgress reader + span decoder", () => Replay(path, packetDotNet: false, sharpPcapReader: false)),
            ("replay: + PacketDotNet view of every packet", () => Replay(path, packetDotNet: true, sharpPcapReader: false)),
            ("replay: SharpPcap reader + span decoder", () => Replay(path, packetDotNet: false, sharpPcapReader: true)),
        };
        var best = new Timing[variants.Length];
        for (int round = 0; round <= rounds; round++) // round 0 warms up (JIT, page cache)
            for (int i = 0; i < variants.Length; i++)
            {
                var t = variants[i].Body();
                if (round == 1 || (round > 1 && t.Seconds < best[i].Seconds)) best[i] = t;
            }
        for (int i = 0; i < variants.Length; i++)
        {
            var t = best[i];
            string speed = variants[i].Label.StartsWith("decode", StringComparison.Ordinal)
                ? $"{t.Seconds * 1e9 / t.Packets,8:F1} ns/packet"
                : $"{size / 1e6 / t.Seconds,8:F0} MB/s, {t.Packets / t.Seconds / 1e6,5:F2} Mpackets/s";
            Console.WriteLine($"{variants[i].Label,-46} {speed}  {(double)t.Allocated / t.Packets,7:F1} B/packet allocated");
        }
        return 0;
    }

    private sealed record Frame(LinkType LinkType, byte[] Data);

    private static List<Frame> Load(string path)
    {
        var frames = new List<Frame>();
        using var reader = CaptureFile.Open(path);
        while (reader.TryReadPacket(out var p)) frames.Add(new Frame(p.LinkType, p.Data.ToArray()));
        return frames;
    }

    private static Timing DecodeAll(List<Frame> frames, Action<Frame> decode) => Measure(() =>
    {
        foreach (var f in frames) decode(f);
        return frames.Count;
    });

    /// <summary>PacketDotNet used as a hot path would: the frame copied into one reused array (it parses byte arrays
    /// only), the TCP fields read and the payload taken as a segment, not copied.</summary>
    internal static int PacketDotNetView(LinkType linkType, ReadOnlySpan<byte> frame, byte[] buffer)
    {
        frame.CopyTo(buffer);
        var segment = new PacketDotNet.Utils.ByteArraySegment(buffer, 0, frame.Length);
        PacketDotNet.Packet packet = linkType == LinkType.Ethernet
            ? new PacketDotNet.EthernetPacket(segment)
            : PacketDotNet.Packet.ParsePacket((PacketDotNet.LinkLayers)(int)linkType, frame.ToArray());
        var tcp = packet.Extract<PacketDotNet.TcpPacket>();
        return tcp is null ? 0 : (int)tcp.SequenceNumber + tcp.SourcePort + tcp.PayloadDataSegment.Length;
    }

    private readonly record struct Timing(double Seconds, long Packets, long Allocated);

    private static Timing Measure(Func<long> body)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        long packets = body();
        sw.Stop();
        return new Timing(sw.Elapsed.TotalSeconds, packets, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static Timing ReadOurs(string path, PacketAction action) => Measure(() =>
    {
        using var reader = CaptureFile.Open(path);
        long n = 0;
        while (reader.TryReadPacket(out var packet))
        {
            action(packet);
            n++;
        }
        return n;
    });

    private static unsafe Timing ReadSharpPcap(string path, bool pointers, MonitorPipeline? pipeline) => Measure(() =>
    {
        using var device = new CaptureFileReaderDevice(path);
        device.Open(new DeviceConfiguration { TimestampResolution = TimestampResolution.Nanosecond });
        var linkType = (LinkType)(int)device.LinkType;
        long n = 0;
        if (pointers)
        {
            IntPtr header = 0, data = 0;
            while (device.GetNextPacketPointers(ref header, ref data) == 1)
            {
                // struct pcap_pkthdr on 64-bit Linux: two longs, then caplen and len.
                var h = (long*)header;
                var p = new CapturedPacket(linkType, h[0] * 1_000_000_000L + h[1], (int)((uint*)(h + 2))[1], 0,
                    new ReadOnlySpan<byte>((void*)data, (int)((uint*)(h + 2))[0]));
                pipeline?.Process(p);
                n++;
            }
        }
        else
        {
            while (device.GetNextPacket(out var e) == GetPacketStatus.PacketRead)
            {
                var p = new CapturedPacket(linkType, 0, e.Data.Length, 0, e.Data);
                pipeline?.Process(p);
                n++;
            }
        }
        return n;
    });

    private static Timing Replay(string path, bool packetDotNet, bool sharpPcapReader)
    {
        var limits = new PipelineOptions();
        var buffer = new byte[262144 + 4096];
        using var writer = new EcsEventWriter(Stream.Null);
        var pipeline = new MonitorPipeline(limits, new DetectionEngine(McpEgressConfig.Default.Detection), new EcsPipelineOutput(writer));
        var run = sharpPcapReader
            ? ReadSharpPcap(path, pointers: true, pipeline)
            : ReadOurs(path, packetDotNet
                ? (in CapturedPacket p) => { PacketDotNetView(p.LinkType, p.Data, buffer); pipeline.Process(p); }
                : (in CapturedPacket p) => pipeline.Process(p));
        pipeline.Finish();
        return run;
    }
}
