using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit.Abstractions;

namespace McpEgress.Tests.Daemon;

/// <summary>
/// Issue 15, attribution never on the packet path: <c>mcp-egress watch</c> on lo (default config: attribution on)
/// while the test floods it with 20,000 connections that have no local socket — SYNs written with a raw socket from
/// 127.0.0.3 to a closed port on 127.0.0.2 (the kernel answers each with a RST; every one is a new flow whose client
/// address is this host's, so each would have cost the pipeline a /proc scan) — and, in the middle of it, a real
/// Python smtplib client sends one message to a local SMTP sink. The message must be found and attributed to the
/// client's process. Loopback only, bounded (20,000 SYNs over ~3 s).
/// </summary>
[Collection("live daemon")]
public sealed class WatchAttributionFloodTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mcp-egress-flood-");

    public void Dispose()
    {
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }

    private const string ClientPy = """
        import smtplib, sys, time
        s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
        s.ehlo('agent.corp.example')
        s.sendmail('agent@corp.example', ['customer@client.example', 'phan@giftshop.club'],
            'From: agent@corp.example\r\nTo: customer@client.example\r\nSubject: Sent during a flood\r\n'
            'Message-ID: <flood-1@corp.example>\r\n\r\nhello\r\n')
        print('sent', flush=True)
        time.sleep(1.0)
        s.quit()
        """;

    private const int FloodSyns = 20_000;

    [Fact]
    public async Task FloodOfConnectionsWithoutLocalSocket_DoesNotCostTheMailMessageOrItsSender()
    {
        string dir = _dir.FullName;
        int smtpPort = DaemonProcess.FreePort(), floodPort = DaemonProcess.FreePort(), metricsPort = DaemonProcess.FreePort();
        string events = Path.Combine(dir, "events.ndjson");
        File.WriteAllText(Path.Combine(dir, "sink.py"), WatchEndToEndTests.SmtpSinkPy);
        File.WriteAllText(Path.Combine(dir, "client.py"), ClientPy);
        using var sink = ChildProcess.Start("python3", dir, ["sink.py", smtpPort.ToString()]);
        sink.WaitLine("ready", Step);

        using var daemon = DaemonProcess.Start(metricsPort, "--interface", "lo",
            "--filter", $"tcp port {smtpPort} or tcp port {floodPort}", "--output", events);
        await daemon.WaitHealthyAsync();

        var flood = Task.Run(() => Flood(floodPort));
        await Task.Delay(700); // the flood is under way
        int clientPid;
        using (var client = ChildProcess.Start("python3", dir, ["client.py", smtpPort.ToString()]))
        {
            clientPid = client.Process.Id;
            client.WaitLine("sent", Step);
            Assert.Equal(0, client.WaitForExit(Step));
        }
        var (sent, floodSeconds) = await flood;
        Assert.Equal(FloodSyns, sent);

        var scrape = await daemon.WaitForSampleAsync("mcp_egress_messages_total{transport=\"smtp\",provider=\"none\"}", 1, Step);
        // The flood reaches the attribution service (the SYNs' flows are counted as lookups as the pipeline opens them).
        double Lookups(string s) => DaemonProcess.SumSamples(s, "mcp_egress_attribution_lookups_total");
        var sw = Stopwatch.StartNew();
        while (Lookups(scrape) + (DaemonProcess.Sample(scrape, "mcp_egress_attribution_dropped_total") ?? 0) < FloodSyns / 2 && sw.Elapsed < Step)
        {
            await Task.Delay(500);
            scrape = await daemon.ScrapeAsync();
        }
        double scans = DaemonProcess.Sample(scrape, "mcp_egress_attribution_scans_total") ?? -1;
        double lookups = Lookups(scrape), dropped = DaemonProcess.Sample(scrape, "mcp_egress_attribution_dropped_total") ?? -1;
        double queueDrops = DaemonProcess.Sample(scrape, "mcp_egress_capture_drops_total{interface=\"lo\",cause=\"queue\"}") ?? -1;
        double kernelDrops = DaemonProcess.Sample(scrape, "mcp_egress_capture_drops_total{interface=\"lo\",cause=\"kernel\"}") ?? -1;
        output.WriteLine($"flood: {sent} SYNs in {floodSeconds:F2} s; attribution: {lookups} lookups "
            + $"({DaemonProcess.Sample(scrape, "mcp_egress_attribution_lookups_total{result=\"no_socket\"}")} no socket, "
            + $"{DaemonProcess.Sample(scrape, "mcp_egress_attribution_lookups_total{result=\"syn_tap\"}")} SYN tap, "
            + $"{DaemonProcess.Sample(scrape, "mcp_egress_attribution_lookups_total{result=\"process\"}")} process), "
            + $"{scans} scans, {dropped} dropped; capture drops: queue {queueDrops}, kernel {kernelDrops}");

        daemon.Signal(DaemonProcess.SigTerm);
        Assert.Equal(0, daemon.WaitForExit(Step));
        output.WriteLine(daemon.Stderr);

        var docs = File.ReadAllLines(events).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var message = Assert.Single(docs, d => d.GetProperty("event").GetProperty("kind").GetString() == "event"
            && d.TryGetProperty("email", out var e) && e.TryGetProperty("message_id", out var id) && id.GetString() == "<flood-1@corp.example>");
        Assert.Contains("phan@giftshop.club", message.GetProperty("email").GetProperty("bcc").GetProperty("address").EnumerateArray().Select(a => a.GetString()));
        Assert.True(message.TryGetProperty("process", out var process), "the message names no process:\n" + message);
        Assert.Equal(clientPid, process.GetProperty("pid").GetInt32());
        Assert.Contains("client.py", process.GetProperty("command_line").GetString());

        // The flood's flows were answered off the packet path in batches: far fewer scans than flows.
        Assert.True(lookups + dropped >= FloodSyns / 2, $"{lookups} lookups, {dropped} dropped");
        Assert.True(scans < lookups / 10, $"{scans} scans for {lookups} lookups");
    }

    /// <summary>
    /// Writes <see cref="FloodSyns"/> TCP SYNs from 127.0.0.3 (source ports 1024 up) to 127.0.0.2:<paramref name="port"/>,
    /// where nothing listens, in bursts of 100 every 15 ms. Returns how many were sent and how long it took.
    /// </summary>
    private static (int Sent, double Seconds) Flood(int port)
    {
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Tcp);
        var src = IPAddress.Parse("127.0.0.3");
        var dst = IPAddress.Parse("127.0.0.2");
        raw.Bind(new IPEndPoint(src, 0));
        var to = new IPEndPoint(dst, 0);
        var syn = new byte[20];
        var sw = Stopwatch.StartNew();
        int sent = 0;
        for (int i = 0; i < FloodSyns; i++)
        {
            BuildSyn(syn, src, dst, (ushort)(1024 + i), (ushort)port, seq: (uint)(0x1000_0000 + i));
            sent += raw.SendTo(syn, to) == syn.Length ? 1 : 0;
            if (i % 100 == 99) Thread.Sleep(15);
        }
        return (sent, sw.Elapsed.TotalSeconds);
    }

    /// <summary>A 20-byte TCP header with SYN set and a correct checksum (RFC 793 §3.1 pseudo-header); the kernel adds the IPv4 header.</summary>
    private static void BuildSyn(Span<byte> tcp, IPAddress src, IPAddress dst, ushort srcPort, ushort dstPort, uint seq)
    {
        tcp.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(tcp, srcPort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], dstPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], seq);
        tcp[12] = 5 << 4;    // data offset: 5 words
        tcp[13] = 0x02;      // SYN
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 64240);
        uint sum = 0;
        foreach (var a in new[] { src, dst })
        {
            var b = a.GetAddressBytes();
            sum += (uint)(b[0] << 8 | b[1]) + (uint)(b[2] << 8 | b[3]);
        }
        sum += 6 + (uint)tcp.Length;
        for (int i = 0; i < tcp.Length; i += 2) sum += (uint)(tcp[i] << 8 | tcp[i + 1]);
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], (ushort)~sum);
    }
}
