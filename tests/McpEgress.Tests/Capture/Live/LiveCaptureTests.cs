using System.Text;
using McpEgress.Capture;
using McpEgress.Capture.Live;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using Xunit.Abstractions;

namespace McpEgress.Tests.Capture.Live;

/// <summary>
/// Real libpcap on the loopback interface (needs root or CAP_NET_RAW). Every capture filters on the test's own port so
/// other traffic on the machine cannot disturb the counts. Waits are bounded hang guards, not timing assertions.
/// </summary>
[Collection("live capture")]
public class LiveCaptureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    private static LiveCaptureOptions Options(int port, params string[] interfaces) => new()
    {
        Interfaces = interfaces,
        Filter = $"tcp port {port}",
        BufferBytes = 4 * 1024 * 1024,
        QueueBytes = 8 * 1024 * 1024,
        QueuePackets = 4096,
    };

    /// <summary>Reads (bounded) until a decoded TCP payload contains <paramref name="marker"/>; returns what it saw.</summary>
    private static (LinkType LinkType, int InterfaceId, long TimestampNs, int Port, int Packets) ReadUntilPayload(
        LiveCapture capture, PacketDecoder decoder, byte[] marker, int? interfaceId = null)
    {
        var until = DateTime.UtcNow + Guard;
        int packets = 0;
        while (DateTime.UtcNow < until)
        {
            if (!capture.TryReadPacket(out var packet, TimeSpan.FromMilliseconds(200), out bool timedOut))
            {
                Assert.True(timedOut, "capture ended early: " + capture.TruncationReason);
                continue;
            }
            packets++;
            if (interfaceId is not null && packet.InterfaceId != interfaceId) continue;
            if (decoder.Decode(packet, out var segment) == DecodeResult.Tcp && segment.Payload.IndexOf(marker) >= 0)
                return (packet.LinkType, packet.InterfaceId, packet.TimestampNs, segment.Destination.Port, packets);
        }
        Assert.Fail($"payload not seen within {Guard} ({packets} packets read)");
        return default;
    }

    private static PacketDecoder Decoder() => new(DecoderOptions.Default, new AnomalyCounters());

    [Fact]
    public void LoopbackDeliversRealTcpPayloadAsEthernet()
    {
        using var connection = new LoopbackConnection();
        using var capture = LiveCapture.Open(Options(connection.Port, "lo"));
        Assert.Equal(LinkType.Ethernet, capture.GetLinkType(0)); // Linux lo has a zeroed Ethernet header

        var marker = "MAIL FROM:<live@example.test>\r\n"u8.ToArray();
        connection.Send(marker);
        var seen = ReadUntilPayload(capture, Decoder(), marker);

        Assert.Equal(LinkType.Ethernet, seen.LinkType);
        Assert.Equal(0, seen.InterfaceId);
        Assert.Equal(connection.Port, seen.Port);
        // Real wall-clock timestamp in ns (sanity: within a day of now, so not µs or s).
        long nowNs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000L;
        Assert.InRange(seen.TimestampNs, nowNs - 86_400_000_000_000L, nowNs + 86_400_000_000_000L);
        output.WriteLine($"{LiveCapture.LibraryVersion}; nanosecond timestamps: {capture.HasNanosecondTimestamps(0)}");

        capture.Stop();
        var stats = capture.GetStats()[0];
        Assert.Equal("lo", stats.Interface);
        Assert.True(stats.Packets >= seen.Packets, $"{stats.Packets} packets counted, {seen.Packets} read");
        Assert.True(stats.Bytes > marker.Length);
        Assert.True(stats.KernelReceived >= stats.Packets, $"ps_recv {stats.KernelReceived} < {stats.Packets} read");
        Assert.Equal(0, stats.QueueDrops);
        Assert.Null(stats.Error);
        Assert.False(capture.Truncated);
        Assert.Equal(-1, capture.Length);
        Assert.True(capture.Position > 0);
    }

    [Fact]
    public void PortFilterExcludesOtherTraffic()
    {
        using var wanted = new LoopbackConnection();
        using var other = new LoopbackConnection();
        using var capture = LiveCapture.Open(Options(wanted.Port, "lo"));
        var decoder = Decoder();

        // The unfiltered traffic goes first: without the filter it would sit in the queue ahead of the wanted payload.
        for (int i = 0; i < 20; i++) other.Send("other traffic\r\n"u8);
        other.WaitReceived(20 * 15);
        var marker = "wanted traffic\r\n"u8.ToArray();
        wanted.Send(marker);
        ReadUntilPayload(capture, decoder, marker);
        capture.Stop();

        int packets = 0;
        while (capture.TryReadPacket(out var packet))
        {
            packets++;
            if (decoder.Decode(packet, out var segment) == DecodeResult.Tcp)
                Assert.True(segment.Source.Port == wanted.Port || segment.Destination.Port == wanted.Port,
                    $"segment {segment.Source} -> {segment.Destination} passed the filter");
        }
        var stats = capture.GetStats()[0];
        // Everything counted is the wanted flow: handshake + 1 data segment + ACKs; 20 "other" segments would show.
        Assert.True(stats.Packets < 15, $"{stats.Packets} packets passed 'tcp port {wanted.Port}'");
        output.WriteLine($"{stats.Packets} packets passed the filter, {packets} left after the marker");
    }

    [Fact]
    public void DefaultFilterIsTcp()
    {
        Assert.Equal("tcp", new LiveCaptureOptions().Filter);
        Assert.Equal(262144, new LiveCaptureOptions().SnapLength);
        Assert.Equal(16 * 1024 * 1024, new LiveCaptureOptions().BufferBytes);
        Assert.False(new LiveCaptureOptions().ImmediateMode); // TPACKET_V3: see the option's documentation
        Assert.False(new LiveCaptureOptions().Promiscuous);
    }

    [Fact]
    public void BadFilterThrowsWithTheFilterAndLibpcapsReason()
    {
        var e = Assert.Throws<LiveCaptureException>(() => LiveCapture.Open(new LiveCaptureOptions { Interfaces = ["lo"], Filter = "tcp port" }));
        output.WriteLine(e.Message);
        Assert.StartsWith("filter 'tcp port': ", e.Message);
        Assert.Contains("syntax error", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void UnknownInterfaceThrowsNamingIt()
    {
        var e = Assert.Throws<LiveCaptureException>(() => LiveCapture.Open(LiveCaptureOptions.For("nosuchif9")));
        output.WriteLine(e.Message);
        Assert.StartsWith("interface nosuchif9: ", e.Message);
        Assert.Contains("No such device", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MissingCapNetRawThrowsPermissionError()
    {
        // On a dedicated thread (its capabilities are its own): drop CAP_NET_RAW from the effective set, open, restore.
        Exception? caught = null;
        bool hadIt = false;
        var thread = new Thread(() =>
        {
            hadIt = ThreadCapabilities.IsEffective(ThreadCapabilities.NetRaw);
            ThreadCapabilities.SetEffective(ThreadCapabilities.NetRaw, false);
            try
            {
                using var capture = LiveCapture.Open(LiveCaptureOptions.For("lo"));
            }
            catch (Exception e)
            {
                caught = e;
            }
            finally
            {
                if (hadIt) ThreadCapabilities.SetEffective(ThreadCapabilities.NetRaw, true);
            }
        });
        thread.Start();
        thread.Join();
        Assert.True(hadIt, "the test process needs CAP_NET_RAW (run as root)");
        var e = Assert.IsType<LiveCaptureException>(caught);
        output.WriteLine(e.Message);
        Assert.StartsWith("interface lo: ", e.Message);
        Assert.Contains("permission", e.Message);
        Assert.Contains("CAP_NET_RAW", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void LibraryMissingMessageSaysWhatToInstall()
    {
        var e = LiveCapture.LibraryMissing(new DllNotFoundException("Unable to load shared library 'libpcap.so.0.8'\nor one of its dependencies"));
        Assert.StartsWith("libpcap not found (libpcap.so.0.8; on Debian/Ubuntu: apt-get install libpcap0.8): ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.IsType<DllNotFoundException>(e.InnerException);
    }

    [Fact]
    public void LibraryMissingThroughSharpPcapNamesTheLinuxFiles()
    {
        // What SharpPcap's first call throws when no libpcap loads (measured with libpcap hidden by a bind mount).
        var e = LiveCapture.LibraryMissing(new TypeInitializationException("SharpPcap.LibPcap.LibPcapSafeNativeMethods",
            new DllNotFoundException("Unable to load shared library 'wpcap' or one of its dependencies. In order to help diagnose loading problems, consider using a tool like strace.")));
        Assert.Equal("libpcap not found (libpcap.so.0.8; on Debian/Ubuntu: apt-get install libpcap0.8): " +
                     "SharpPcap tried libpcap.so, libpcap.so.0, libpcap.so.0.8 and libpcap.so.1", e.Message);
        Assert.IsType<DllNotFoundException>(e.InnerException);
    }

    [Fact]
    public void SecondInterfaceFailingClosesTheFirst()
    {
        // lo opens, then the unknown one fails: Open throws and nothing keeps running.
        var e = Assert.Throws<LiveCaptureException>(() => LiveCapture.Open(LiveCaptureOptions.For("lo", "nosuchif9")));
        Assert.StartsWith("interface nosuchif9: ", e.Message);
    }

    [Fact]
    public void AnyInterfaceYieldsCookedLinkType()
    {
        using var connection = new LoopbackConnection();
        using var capture = LiveCapture.Open(Options(connection.Port, "any"));
        Assert.True(capture.GetLinkType(0) is LinkType.LinuxSll or LinkType.LinuxSll2, $"link type {capture.GetLinkType(0)}");

        var marker = "RCPT TO:<hidden@giftshop.example>\r\n"u8.ToArray();
        connection.Send(marker);
        var seen = ReadUntilPayload(capture, Decoder(), marker);
        Assert.Equal(capture.GetLinkType(0), seen.LinkType);
        Assert.Equal(connection.Port, seen.Port);
    }

    [Fact]
    public void TwoInterfacesShareTheQueueWithTheirOwnIdsAndLinkTypes()
    {
        using var connection = new LoopbackConnection();
        using var capture = LiveCapture.Open(Options(connection.Port, "lo", "any"));
        Assert.Equal(["lo", "any"], capture.Interfaces);

        var marker = "DATA\r\n"u8.ToArray();
        connection.Send(marker);
        var decoder = Decoder();
        var onLo = ReadUntilPayload(capture, decoder, marker, interfaceId: 0);
        Assert.Equal(LinkType.Ethernet, onLo.LinkType);
        connection.Send(marker);
        var onAny = ReadUntilPayload(capture, decoder, marker, interfaceId: 1);
        Assert.True(onAny.LinkType is LinkType.LinuxSll or LinkType.LinuxSll2);
        capture.Stop();
        Assert.All(capture.GetStats(), s => Assert.True(s.Packets > 0, $"{s.Interface}: no packets"));
    }

    [Fact]
    public void FullQueueDropsAndCountsEveryPacket()
    {
        using var connection = new LoopbackConnection();
        var options = Options(connection.Port, "lo");
        using var capture = LiveCapture.Open(new LiveCaptureOptions
        {
            Interfaces = options.Interfaces, Filter = options.Filter, QueuePackets = 8, QueueBytes = 1024 * 1024,
        });

        // Nobody reads while 300 segments (plus ACKs) go by.
        connection.SendPaced(new byte[100], 300);
        var until = DateTime.UtcNow + Guard;
        while (capture.GetStats()[0].Packets < 100 && DateTime.UtcNow < until) Thread.Sleep(10);
        capture.Stop();

        long read = 0;
        while (capture.TryReadPacket(out _)) read++;
        var stats = capture.GetStats()[0];
        output.WriteLine($"packets {stats.Packets}, read {read}, queue drops {stats.QueueDrops}, kernel received {stats.KernelReceived}, kernel drops {stats.KernelDrops}");
        Assert.True(stats.Packets >= 100, $"{stats.Packets} packets");
        Assert.True(read <= 8, $"{read} packets read from an 8-packet queue");
        Assert.True(stats.QueueDrops > 0);
        Assert.Equal(stats.Packets, read + stats.QueueDrops); // nothing lost silently
        Assert.True(stats.KernelReceived >= stats.Packets);
    }

    [Fact]
    public void SmallKernelBufferDropsAreCountedAndCountersOnlyGrow()
    {
        // Immediate mode on "any" gives TPACKET_V2 frames of the full snap length: a 1 MiB buffer is 4 frames, so a
        // burst from three connections overflows the kernel ring before the capture thread is scheduled.
        var connections = new[] { new LoopbackConnection(), new LoopbackConnection(), new LoopbackConnection() };
        try
        {
            using var capture = LiveCapture.Open(new LiveCaptureOptions
            {
                Interfaces = ["any"], ImmediateMode = true, BufferBytes = 1024 * 1024, StatsIntervalMs = 5,
                Filter = string.Join(" or ", connections.Select(c => $"tcp port {c.Port}")), QueueBytes = 8 * 1024 * 1024,
            });
            var reader = new Thread(() => { while (capture.TryReadPacket(out _)) { } });
            reader.Start();
            var chunk = new byte[100];
            var senders = connections.Select(c => new Thread(() => { for (int i = 0; i < 1000; i++) c.Send(chunk); })).ToArray();
            foreach (var t in senders) t.Start();

            // Sample the counters from another thread for the whole run: none may ever go down.
            var samples = new List<LiveCaptureStats>();
            bool done = false;
            var sampler = new Thread(() => { while (!Volatile.Read(ref done)) { samples.Add(capture.GetStats()[0]); Thread.Sleep(1); } });
            sampler.Start();
            foreach (var t in senders) t.Join();
            foreach (var c in connections) c.WaitReceived(1000 * chunk.Length);
            Thread.Sleep(50);
            capture.Stop();
            reader.Join();
            Volatile.Write(ref done, true);
            sampler.Join();
            samples.Add(capture.GetStats()[0]);

            var last = samples[^1];
            output.WriteLine($"{samples.Count} samples; packets {last.Packets}, kernel received {last.KernelReceived}, kernel drops {last.KernelDrops}, queue drops {last.QueueDrops}");
            for (int i = 1; i < samples.Count; i++)
            {
                Assert.True(samples[i].Packets >= samples[i - 1].Packets);
                Assert.True(samples[i].Bytes >= samples[i - 1].Bytes);
                Assert.True(samples[i].KernelReceived >= samples[i - 1].KernelReceived);
                Assert.True(samples[i].KernelDrops >= samples[i - 1].KernelDrops);
            }
            Assert.True(last.KernelDrops > 0, "a 4-frame kernel ring did not overflow");
            Assert.Equal(0, last.QueueDrops);
        }
        finally
        {
            foreach (var c in connections) c.Dispose();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StopReturnsWithoutTrafficAndWithoutWaitingForTheReadTimeout(bool immediate)
    {
        using var connection = new LoopbackConnection(); // only for a port nothing is sent on
        using var capture = LiveCapture.Open(new LiveCaptureOptions
        {
            Interfaces = ["lo"], Filter = $"tcp port {connection.Port}", ReadTimeoutMs = 120_000, StatsIntervalMs = 120_000,
            QueueBytes = 1024 * 1024, BufferBytes = 1024 * 1024, ImmediateMode = immediate,
        });
        Assert.False(capture.TryReadPacket(out _, TimeSpan.FromMilliseconds(50), out bool timedOut));
        Assert.True(timedOut);

        // pcap_breakloop must wake the blocked read; otherwise Stop would wait for the 120 s read timeout.
        var stop = new Thread(capture.Stop);
        stop.Start();
        Assert.True(stop.Join(TimeSpan.FromSeconds(30)), "Stop() did not return");
        Assert.False(capture.TryReadPacket(out _, TimeSpan.FromSeconds(30), out timedOut));
        Assert.False(timedOut); // ended, not timed out
        Assert.False(capture.TryReadPacket(out _));
        Assert.True(capture.GetStats()[0].Packets == 0);
        capture.Stop(); // idempotent
    }

    [Fact]
    public void CapturePathAllocatesNothingPerPacket()
    {
        using var connection = new LoopbackConnection();
        using var capture = LiveCapture.Open(Options(connection.Port, "lo"));
        var chunk = new byte[200];
        const int Segments = 2000;

        // Paced, so that every send is its own segment on the wire.
        var sender = new Thread(() => connection.SendPaced(chunk, Segments));
        sender.Start();

        // The reader runs on this thread and is measured too, after a warm-up; it decodes what it reads.
        var decoder = Decoder();
        long readerPackets = 0, before = 0, payload = 0;
        var until = DateTime.UtcNow + Guard;
        while (payload < Segments * chunk.Length && DateTime.UtcNow < until)
        {
            if (!capture.TryReadPacket(out var packet, TimeSpan.FromMilliseconds(100), out _)) continue;
            if (++readerPackets == 100) before = GC.GetAllocatedBytesForCurrentThread();
            if (decoder.Decode(packet, out var segment) == DecodeResult.Tcp && segment.Destination.Port == connection.Port)
                payload += segment.Payload.Length;
        }
        long readerAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
        sender.Join();
        capture.Stop();

        var probe = capture.InterfaceStates[0];
        var stats = capture.GetStats()[0];
        output.WriteLine($"capture thread: {probe.ProbeAllocatedBytes} bytes over {probe.ProbePackets} packets; " +
                         $"reader: {readerAllocated} bytes over {readerPackets - 100} packets; payload {payload}; " +
                         $"kernel drops {stats.KernelDrops}, queue drops {stats.QueueDrops}");
        Assert.Equal(Segments * chunk.Length, payload); // every byte captured and decoded
        Assert.True(probe.ProbePackets > 1000, $"{probe.ProbePackets} packets measured");
        Assert.True(probe.ProbeAllocatedBytes < 8 * 1024, $"capture thread allocated {probe.ProbeAllocatedBytes} bytes");
        Assert.True(readerAllocated < 8 * 1024, $"reader allocated {readerAllocated} bytes");
    }

    [Fact]
    public void ListInterfacesIncludesLoopbackAndAny()
    {
        var interfaces = LiveCapture.ListInterfaces();
        output.WriteLine(string.Join(", ", interfaces.Select(i => i.Name)));
        var lo = Assert.Single(interfaces, i => i.Name == "lo");
        Assert.True(lo.IsLoopback);
        Assert.True(lo.IsUp);
        Assert.Contains(interfaces, i => i.Name == "any");
        Assert.StartsWith("libpcap version", LiveCapture.LibraryVersion);
    }

    [Fact]
    public void InvalidOptionsAreRejectedBeforeOpening()
    {
        Assert.Throws<ArgumentException>(() => LiveCapture.Open(new LiveCaptureOptions()));
        Assert.Throws<ArgumentOutOfRangeException>(() => LiveCapture.Open(new LiveCaptureOptions { Interfaces = ["lo"], QueueBytes = 1000 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => LiveCapture.Open(new LiveCaptureOptions { Interfaces = ["lo"], QueuePackets = 0 }));
    }
}
