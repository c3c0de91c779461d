using System.Net;
using McpEgress.Capture;
using McpEgress.Capture.Live;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using McpEgress.Pipeline;
using McpEgress.Reassembly;
using Xunit.Abstractions;

namespace McpEgress.Tests.Capture.Live;

/// <summary>
/// Issue 15 item 4 on real libpcap (loopback, the test's own two connections): the capture thread asks the
/// <see cref="FlowBypassTable"/>'s triage about every packet and sheds a bypassed flow's packets before the queue,
/// counting them apart from drops, while a kept flow's packets all arrive.
/// </summary>
[Collection("live capture")]
public class LiveBypassTests(ITestOutputHelper output)
{
    private static Endpoint Loopback(int port) => new(IpAddress16.FromIPAddress(IPAddress.Loopback), (ushort)port);

    [Fact]
    public void BypassedFlowIsShedBeforeTheQueue_KeptFlowArrivesWhole()
    {
        using var shed = new LoopbackConnection();
        using var kept = new LoopbackConnection();
        var table = new FlowBypassTable(new FlowBypassOptions { ForwardInterval = TimeSpan.FromHours(1) });
        table.OnVerdict(new FlowKey(Loopback(shed.ClientPort), Loopback(shed.Port)), FlowVerdict.Bypass);
        table.OnVerdict(new FlowKey(Loopback(kept.ClientPort), Loopback(kept.Port)), FlowVerdict.Keep);
        using var capture = LiveCapture.Open(new LiveCaptureOptions
        {
            Interfaces = ["lo"],
            Filter = $"tcp port {shed.Port} or tcp port {kept.Port}",
            BufferBytes = 4 * 1024 * 1024,
            QueueBytes = 8 * 1024 * 1024,
            QueuePackets = 4096,
            Triage = table.CreateTriage,
        });

        var payload = new byte[1000];
        shed.SendPaced(payload, 20);
        kept.SendPaced(payload, 20);
        Thread.Sleep(300); // the capture thread's read timeout is 100 ms: let the last block through
        capture.Stop();

        var decoder = new PacketDecoder(DecoderOptions.Default, new AnomalyCounters());
        int shedSeen = 0, keptData = 0;
        while (capture.TryReadPacket(out var packet))
        {
            if (decoder.Decode(packet, out var s) != DecodeResult.Tcp) continue;
            if (s.Source.Port == shed.Port || s.Destination.Port == shed.Port) shedSeen++;
            else if (!s.Payload.IsEmpty) keptData++;
        }
        var stats = capture.GetStats()[0];
        output.WriteLine($"{stats.Packets} packets, {stats.BypassedPackets} bypassed ({stats.BypassedBytes} bytes), {stats.QueueDrops} queue drops; shed flow packets read {shedSeen}, kept flow data segments {keptData}");
        Assert.Equal(20, keptData);
        Assert.True(shedSeen <= 1, $"{shedSeen} packets of the bypassed flow were queued"); // one heartbeat at most
        Assert.True(stats.BypassedPackets >= 20, $"{stats.BypassedPackets} bypassed");
        Assert.True(stats.BypassedBytes >= 20 * payload.Length);
        Assert.Equal(0, stats.QueueDrops);                                               // a bypass is not a drop
    }
}
