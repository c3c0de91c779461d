using McpEgress.Reassembly;
using static McpEgress.Tests.Reassembly.SegmentFeeder;

namespace McpEgress.Tests.Reassembly;

public class TcpReassemblerEdgeTests
{
    private const uint C = 1001, S = 5001;

    [Fact]
    public void SynAckAloneIdentifiesServer()
    {
        var f = new SegmentFeeder();
        // The SYN was not captured; the SYN+ACK's sender is the server, and it acks the client's ISN + 1.
        f.Send(Server, Client, 5000, C, SynAck);
        f.Send(Client, Server, C, S, PshAck, "EHLO a\r\n");
        f.Send(Server, Client, S, C + 8, PshAck, "250 b\r\n");
        var r = f.Handler.Single;
        Assert.False(r.Flow.PickedUpMidStream);
        Assert.Equal(Client, r.Flow.Key.Client);
        Assert.Equal("EHLO a\r\n", r.ClientText);
        Assert.Equal("250 b\r\n", r.ServerText);
    }

    [Fact]
    public void DataBeyondFinIsDropped()
    {
        var f = new SegmentFeeder();
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C, S, FinAck, "bye");           // FIN at offset 3
        f.Send(Client, Server, C + 3, S, PshAck, "more");
        Assert.Equal("bye", f.Handler.Single.ClientText);
        Assert.Equal(1, f.Anomaly("data_after_fin"));
    }

    [Fact]
    public void SegmentFarAheadOfWindowIsDropped()
    {
        var f = new SegmentFeeder();
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C + (1u << 31) - 10, S, PshAck, "junk");
        f.Send(Client, Server, C, S, PshAck, "ok");
        Assert.Equal("ok", f.Handler.Single.ClientText);
        Assert.Equal(0, f.Reassembler.BufferedBytes);
        Assert.Equal(1, f.Anomaly("sequence_out_of_window"));
    }

    [Fact]
    public void InOrderPathDoesNotAllocatePerSegment()
    {
        var r = new TcpReassembler(new ReassemblyOptions(), new NullHandler(), new McpEgress.Diagnostics.AnomalyCounters());
        var payload = new byte[1000];
        void Feed(uint seq, uint ack, McpEgress.Decode.TcpFlags flags, int len, long ts)
        {
            var seg = new McpEgress.Decode.TcpSegment(Client, Server, seq, ack, flags, 65535, ts, payload.AsSpan(0, len));
            r.Process(in seg);
        }
        Feed(1000, 0, Syn, 0, 1);
        for (int i = 0; i < 100; i++) Feed((uint)(C + i * 1000), S, PshAck, 1000, 2 + i); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 100; i < 10_100; i++) Feed((uint)(C + i * 1000), S, PshAck, 1000, 2 + i);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 10_000, $"{allocated} bytes for 10 000 segments");
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        var h = new NullHandler();
        var a = new McpEgress.Diagnostics.AnomalyCounters();
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpReassembler(new ReassemblyOptions { MaxFlows = 0 }, h, a));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TcpReassembler(new ReassemblyOptions { IdleTimeout = TimeSpan.Zero }, h, a));
    }

    private sealed class NullHandler : ITcpStreamHandler
    {
        public void OnFlowOpened(TcpFlow flow) { }
        public void OnData(TcpFlow flow, FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs) { }
        public void OnGap(TcpFlow flow, FlowDirection direction, long missingBytes, long timestampNs) { }
        public void OnFlowClosed(TcpFlow flow, FlowCloseReason reason, long timestampNs) { }
    }
}
