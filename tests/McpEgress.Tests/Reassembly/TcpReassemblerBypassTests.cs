using McpEgress.Decode;
using McpEgress.Reassembly;
using static McpEgress.Tests.Reassembly.SegmentFeeder;

namespace McpEgress.Tests.Reassembly;

/// <summary>
/// A bypassed flow (TcpFlow.Bypass, set by the protocol layer) is followed for sequence numbers, FIN, RST and idle time
/// only: its bytes are counted, not delivered, out-of-order data is held as ranges without bytes, and a flow whose
/// packets are shed before reassembly takes its holes for bytes dropped on purpose.
/// </summary>
public class TcpReassemblerBypassTests
{
    private const uint C = 1001, S = 5001;

    /// <summary>Bypasses the flow the first time it delivers client bytes containing "STOP".</summary>
    private sealed class BypassingHandler(RecordingStreamHandler inner) : ITcpStreamHandler
    {
        public void OnFlowOpened(TcpFlow flow) => inner.OnFlowOpened(flow);
        public void OnData(TcpFlow flow, FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs)
        {
            inner.OnData(flow, direction, data, timestampNs);
            if (System.Text.Encoding.ASCII.GetString(data).Contains("STOP", StringComparison.Ordinal)) flow.Bypass();
        }
        public void OnGap(TcpFlow flow, FlowDirection direction, long missingBytes, long timestampNs) => inner.OnGap(flow, direction, missingBytes, timestampNs);
        public void OnFlowClosed(TcpFlow flow, FlowCloseReason reason, long timestampNs) => inner.OnFlowClosed(flow, reason, timestampNs);
    }

    private sealed class Sink(bool shed) : IFlowVerdictSink
    {
        public List<(FlowKey, FlowVerdict)> Verdicts { get; } = [];
        public List<FlowKey> Forgotten { get; } = [];
        public bool OnVerdict(FlowKey flow, FlowVerdict verdict) { Verdicts.Add((flow, verdict)); return shed; }
        public void OnForget(FlowKey flow) => Forgotten.Add(flow);
    }

    private static (SegmentFeeder Feeder, RecordingStreamHandler Seen, TcpReassembler R) Make(IFlowVerdictSink? sink = null)
    {
        var f = new SegmentFeeder();
        var seen = new RecordingStreamHandler();
        var r = new TcpReassembler(new ReassemblyOptions(), new BypassingHandler(seen), f.Anomalies) { VerdictSink = sink };
        return (f, seen, r);
    }

    private static void Send(SegmentFeeder f, TcpReassembler r, Endpoint src, Endpoint dst, uint seq, uint ack, TcpFlags flags, string payload = "")
    {
        f.Now += Ms;
        var segment = new McpEgress.Decode.TcpSegment(src, dst, seq, ack, flags, 65535, f.Now, System.Text.Encoding.ASCII.GetBytes(payload));
        r.Process(in segment);
    }

    private static void Handshake(SegmentFeeder f, TcpReassembler r)
    {
        Send(f, r, Client, Server, 1000, 0, Syn);
        Send(f, r, Server, Client, 5000, 1001, SynAck);
        Send(f, r, Client, Server, 1001, 5001, Ack);
    }

    [Fact]
    public void AfterBypass_BytesAreCountedNotDelivered_AndTheFlowStillClosesByFin()
    {
        var sink = new Sink(shed: false);
        var (f, seen, r) = Make(sink);
        Handshake(f, r);
        Send(f, r, Client, Server, C, S, PshAck, "hello STOP");            // 10 bytes, delivered, then bypassed
        Send(f, r, Client, Server, C + 10, S, PshAck, "0123456789");       // counted only
        Send(f, r, Server, Client, S, C + 20, PshAck, "abcde");            // counted only
        Send(f, r, Client, Server, C + 20, S + 5, FinAck);
        Send(f, r, Server, Client, S + 5, C + 21, FinAck);

        var flow = seen.Single;
        Assert.Equal("hello STOP", flow.ClientText);
        Assert.Equal("", flow.ServerText);
        Assert.Equal([FlowCloseReason.Fin], flow.Closes);
        Assert.Empty(flow.Gaps);
        Assert.Equal(FlowVerdict.Bypass, flow.Flow.Verdict);
        Assert.Equal(10, flow.Flow.BypassedBytes[0]);
        Assert.Equal(5, flow.Flow.BypassedBytes[1]);
        Assert.Equal(10, flow.Flow.DeliveredBytes[0]);
        Assert.Equal(4, r.BypassedSegments);                                // the three after the verdict, and the server FIN
        Assert.Equal(15, r.BypassedBytes);
        Assert.Equal([(flow.Flow.Key, FlowVerdict.Bypass)], sink.Verdicts);
        r.CloseAll(f.Now + 60_000 * Ms);
        Assert.Equal([flow.Flow.Key], sink.Forgotten);                     // the table entry goes with the flow
    }

    [Fact]
    public void AfterBypass_OutOfOrderDataIsHeldAsRangesOnly_AndGapsStillFallWhereTheyWould()
    {
        var (f, seen, r) = Make();
        Handshake(f, r);
        Send(f, r, Client, Server, C, S, PshAck, "STOP");
        Send(f, r, Client, Server, C + 8, S, PshAck, "later");            // ahead: a hole of 4 bytes before it
        Assert.Equal(0, r.BufferedBytes);                                   // no bytes kept for a bypassed flow
        Send(f, r, Client, Server, C + 4, S, PshAck, "fill");              // fills the hole: 4 + 5 counted
        Assert.Equal(9, seen.Single.Flow.BypassedBytes[0]);

        Send(f, r, Client, Server, C + 20, S, PshAck, "after a real hole");  // 7 bytes never come
        r.CloseAll(f.Now + Ms);
        var flow = seen.Single;
        Assert.Equal(7, flow.GapBytes(FlowDirection.ClientToServer));      // not shed: a hole is still a gap
        Assert.Equal(9 + 17, flow.Flow.BypassedBytes[0]);
        Assert.Equal("STOP", flow.ClientText);
    }

    [Fact]
    public void ShedFlow_HolesAreBytesDroppedOnPurpose_FinClosesAtOnce()
    {
        var (f, seen, r) = Make(new Sink(shed: true));
        Handshake(f, r);
        Send(f, r, Client, Server, C, S, PshAck, "STOP");
        // Capture shed the next 100 000 client bytes and all server ACKs; the client's FIN comes through.
        Send(f, r, Client, Server, C + 4 + 100_000, S, FinAck);
        Send(f, r, Server, Client, S, C + 100_005, FinAck);

        var flow = seen.Single;
        Assert.Equal([FlowCloseReason.Fin], flow.Closes);                   // closed by FIN now, no linger for holes
        Assert.Empty(flow.Gaps);
        Assert.Equal(100_000, flow.Flow.BypassedBytes[0]);
        Assert.Equal(0, r.ActiveFlows);
    }

    [Fact]
    public void KeepVerdict_IsPublishedOnce_AndBypassOverridesIt()
    {
        var sink = new Sink(shed: false);
        var f = new SegmentFeeder();
        var handler = new KeepingHandler();
        var r = new TcpReassembler(new ReassemblyOptions(), handler, f.Anomalies) { VerdictSink = sink };
        Handshake(f, r);
        Send(f, r, Client, Server, C, S, PshAck, "EHLO");
        Send(f, r, Client, Server, C + 4, S, PshAck, "MAIL");
        Assert.Equal([FlowVerdict.Keep], sink.Verdicts.Select(v => v.Item2));
        handler.Flow!.Bypass();
        Send(f, r, Client, Server, C + 8, S, PshAck, "more");
        Assert.Equal([FlowVerdict.Keep, FlowVerdict.Bypass], sink.Verdicts.Select(v => v.Item2));
        handler.Flow.Keep();                                                // final: a bypass stays
        Assert.Equal(FlowVerdict.Bypass, handler.Flow.Verdict);
    }

    [Fact]
    public void Expendable_GivesWayToKeep_NeverTheOtherWayRound()
    {
        var flow = new TcpFlow(1, new FlowKey(Client, Server), 0, false);
        flow.MarkExpendable();
        Assert.Equal(FlowVerdict.Expendable, flow.Verdict);
        flow.Keep();                                                        // a fronted mail-API call found inside
        Assert.Equal(FlowVerdict.Keep, flow.Verdict);
        flow.MarkExpendable();
        Assert.Equal(FlowVerdict.Keep, flow.Verdict);
    }

    private sealed class KeepingHandler : ITcpStreamHandler
    {
        public TcpFlow? Flow { get; private set; }
        public void OnFlowOpened(TcpFlow flow) => Flow = flow;
        public void OnData(TcpFlow flow, FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs) => flow.Keep();
        public void OnGap(TcpFlow flow, FlowDirection direction, long missingBytes, long timestampNs) { }
        public void OnFlowClosed(TcpFlow flow, FlowCloseReason reason, long timestampNs) { }
    }
}
