using System.Net;
using McpEgress.Capture;
using McpEgress.Capture.Live;
using McpEgress.Decode;
using McpEgress.Pipeline;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Pipeline;

/// <summary>The lock-free table capture threads read to shed bypassed flows: symmetry, bound, expiry, concurrency.</summary>
public sealed class FlowBypassTableTests
{
    private static Endpoint Ep(string ip, ushort port) => new(IpAddress16.FromIPAddress(IPAddress.Parse(ip)), port);

    private static FlowKey Flow(int i) => new(Ep($"10.1.{i >> 8 & 255}.{i & 255}", (ushort)(40000 + i % 20000)), Ep("192.0.2.10", 443));

    [Fact]
    public void Lookup_IsSymmetric_AndExact()
    {
        var t = new FlowBypassTable();
        var f = Flow(1);
        Assert.True(t.OnVerdict(f, FlowVerdict.Bypass));
        Assert.Equal(FlowVerdict.Bypass, t.Lookup(f.Client, f.Server));
        Assert.Equal(FlowVerdict.Bypass, t.Lookup(f.Server, f.Client));
        // Same addresses, another port; same ports, another address; IPv6 with the same low bits: all unknown.
        Assert.Equal(FlowVerdict.Undecided, t.Lookup(Ep("10.1.0.1", 40002), f.Server));
        Assert.Equal(FlowVerdict.Undecided, t.Lookup(Ep("10.1.0.2", 40001), f.Server));
        Assert.Equal(FlowVerdict.Undecided, t.Lookup(Ep("::ffff:10.1.0.1", 40001), Ep("::1", 443)));

        Assert.False(t.OnVerdict(Flow(2), FlowVerdict.Keep));             // a keep sheds nothing
        Assert.Equal(FlowVerdict.Keep, t.Lookup(Flow(2).Server, Flow(2).Client));
        Assert.True(t.OnVerdict(Flow(2), FlowVerdict.Bypass));           // updated in place
        Assert.Equal(2, t.Count);
    }

    [Fact]
    public void Entries_ExpireWithTheFlow_AndSlotsAreReused()
    {
        // 40 flows at a time in 64 slots, 50 times over: the hash is seeded per process, so a flow may now and then find
        // its probe window full (then it is simply not shed); the table must not fill up for good.
        var t = new FlowBypassTable(new FlowBypassOptions { Slots = 64 });
        for (int round = 0; round < 50; round++)
        {
            int stored = 0;
            for (int i = 0; i < 40; i++) if (t.OnVerdict(Flow(round * 40 + i), FlowVerdict.Bypass)) stored++;
            Assert.Equal(stored, t.Count);
            for (int i = 0; i < 40; i++) t.OnForget(Flow(round * 40 + i));
            Assert.Equal(0, t.Count);
            Assert.Equal(FlowVerdict.Undecided, t.Lookup(Flow(round * 40).Client, Flow(round * 40).Server));
        }
        Assert.True(t.Full < 50 * 40 / 20, $"full {t.Full}"); // reused slots: at most a few misses in 2000 verdicts
    }

    [Fact]
    public void IsBounded_AFlowWithoutASlotIsNotShed()
    {
        var t = new FlowBypassTable(new FlowBypassOptions { Slots = 8, MaxProbe = 8 });
        int stored = 0;
        for (int i = 0; i < 100; i++) if (t.OnVerdict(Flow(i), FlowVerdict.Bypass)) stored++;
        Assert.Equal(8, stored);
        Assert.Equal(8, t.Count);
        Assert.Equal(92, t.Full);
        Assert.Equal(8, Enumerable.Range(0, 100).Count(i => t.Lookup(Flow(i).Client, Flow(i).Server) == FlowVerdict.Bypass));
    }

    [Fact]
    public void ConcurrentReaders_NeverSeeAnotherFlowsVerdict()
    {
        // Two writers (like two pipeline workers, each with its own flows) churn a small table while readers look up;
        // a flow's verdict is fixed by its number (odd: bypass, even: keep), so any other answer than that or
        // "undecided" would be a torn read.
        // Dedicated threads that start together, and the 2 s count from there: on a loaded machine thread-pool tasks
        // could start so late that the readers never overlapped the writers.
        var t = new FlowBypassTable(new FlowBypassOptions { Slots = 256 });
        using var stop = new CancellationTokenSource();
        using var start = new Barrier(5, _ => stop.CancelAfter(TimeSpan.FromSeconds(2)));
        long wrong = 0, hits = 0;
        static FlowVerdict VerdictOf(int i) => i % 2 == 1 ? FlowVerdict.Bypass : FlowVerdict.Keep;
        Task Run(Action body) => Task.Factory.StartNew(() => { start.SignalAndWait(); body(); }, TaskCreationOptions.LongRunning);
        var writers = Enumerable.Range(0, 2).Select(w => Run(() =>
        {
            for (int round = 0; !stop.IsCancellationRequested; round++)
            {
                for (int i = w; i < 300; i += 2) t.OnVerdict(Flow(i), VerdictOf(i));
                for (int i = w; i < 300; i += 2) t.OnForget(Flow(i));
            }
        })).ToArray();
        var readers = Enumerable.Range(0, 2).Select(_ => Run(() =>
        {
            while (!stop.IsCancellationRequested)
                for (int i = 0; i < 300; i++)
                {
                    var v = t.Lookup(Flow(i).Server, Flow(i).Client);
                    if (v == FlowVerdict.Undecided) continue;
                    Interlocked.Increment(ref hits);
                    if (v != VerdictOf(i)) Interlocked.Increment(ref wrong);
                }
        })).ToArray();
        start.SignalAndWait();
        Task.WaitAll([.. writers, .. readers]);
        Assert.Equal(0, wrong);
        Assert.True(hits > 0);
        Assert.Equal(0, t.Count);
    }

    private static byte[] Frame(FlowKey f, TcpFlags flags, int payload = 100)
    {
        // Ethernet + IPv4 + TCP (20-byte headers), client to server.
        var b = new byte[14 + 20 + 20 + payload];
        b[12] = 0x08;
        b[14] = 0x45;
        int total = 40 + payload;
        b[16] = (byte)(total >> 8); b[17] = (byte)total;
        b[22] = 64; b[23] = 6;
        f.Client.Address.ToIPAddress().GetAddressBytes().CopyTo(b, 26);
        f.Server.Address.ToIPAddress().GetAddressBytes().CopyTo(b, 30);
        b[34] = (byte)(f.Client.Port >> 8); b[35] = (byte)f.Client.Port;
        b[36] = (byte)(f.Server.Port >> 8); b[37] = (byte)f.Server.Port;
        b[46] = 0x50; b[47] = (byte)flags;
        return b;
    }

    [Fact]
    public void Triage_ShedsDataOfBypassedFlows_ButLetsControlPacketsAndAHeartbeatThrough()
    {
        var t = new FlowBypassTable(new FlowBypassOptions { ForwardInterval = TimeSpan.FromSeconds(1) });
        var triage = t.CreateTriage();
        var bypassed = Flow(7);
        var kept = Flow(8);
        var expendable = Flow(10);
        t.OnVerdict(bypassed, FlowVerdict.Bypass);
        t.OnVerdict(kept, FlowVerdict.Keep);
        t.OnVerdict(expendable, FlowVerdict.Expendable);
        PacketTriage At(FlowKey f, TcpFlags flags, long ms) =>
            triage.Classify(new CapturedPacket(LinkType.Ethernet, ms * 1_000_000, 154, 0, Frame(f, flags)));

        Assert.Equal(PacketTriage.Keep, At(bypassed, TcpFlags.Ack, 0));            // first packet after the verdict: heartbeat
        Assert.Equal(PacketTriage.Bypass, At(bypassed, TcpFlags.Ack, 10));
        Assert.Equal(PacketTriage.Bypass, At(bypassed, TcpFlags.Psh | TcpFlags.Ack, 999));
        Assert.Equal(PacketTriage.Keep, At(bypassed, TcpFlags.Fin | TcpFlags.Ack, 500)); // FIN, RST, SYN always go through
        Assert.Equal(PacketTriage.Keep, At(bypassed, TcpFlags.Rst, 501));
        Assert.Equal(PacketTriage.Keep, At(bypassed, TcpFlags.Ack, 1000));         // a second on: the next heartbeat
        Assert.Equal(PacketTriage.Bypass, At(bypassed, TcpFlags.Ack, 1001));
        Assert.Equal(PacketTriage.Keep, At(kept, TcpFlags.Ack, 5));
        Assert.Equal(PacketTriage.Expendable, At(expendable, TcpFlags.Ack, 5));
        Assert.Equal(PacketTriage.Unknown, At(Flow(9), TcpFlags.Ack, 5));

        t.OnForget(bypassed);
        Assert.Equal(PacketTriage.Unknown, At(bypassed, TcpFlags.Ack, 1002));

        // A SYN on a bypassed four-tuple is a new connection: the entry goes at once, so nothing of it is shed.
        t.OnVerdict(bypassed, FlowVerdict.Bypass);
        Assert.Equal(PacketTriage.Keep, At(bypassed, TcpFlags.Ack, 2000));          // heartbeat
        Assert.Equal(PacketTriage.Bypass, At(bypassed, TcpFlags.Ack, 2001));
        Assert.Equal(PacketTriage.Keep, At(bypassed, TcpFlags.Syn, 2002));
        Assert.Equal(PacketTriage.Unknown, At(bypassed, TcpFlags.Ack, 2003));
        Assert.Equal(FlowVerdict.Undecided, t.Lookup(bypassed.Client, bypassed.Server));
        Assert.Equal(2, t.Count);                                                   // the kept and the expendable flow
        t.OnForget(bypassed);                                                       // the pipeline's late forget: a no-op
        Assert.Equal(2, t.Count);
        // Not TCP, or garbage: unknown (queued as usual), never an exception.
        Assert.Equal(PacketTriage.Unknown, triage.Classify(new CapturedPacket(LinkType.Ethernet, 0, 3, 0, new byte[] { 1, 2, 3 })));
    }
}
