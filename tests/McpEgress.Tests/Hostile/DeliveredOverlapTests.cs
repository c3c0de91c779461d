using System.Text;
using McpEgress.Reassembly;
using McpEgress.Tests.Reassembly;
using static McpEgress.Tests.Reassembly.SegmentFeeder;

namespace McpEgress.Tests.Hostile;

/// <summary>Issue 11: a retransmission that rewrites bytes already delivered is counted as overlap_differs.</summary>
public class DeliveredOverlapTests
{
    private const uint C = 1001, S = 5001;

    [Fact]
    public void RewrittenRcptAfterDeliveryIsCountedEveryTime()
    {
        var f = new SegmentFeeder();
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C, S, PshAck, "RCPT TO:<ok@corp.example>\r\n");
        for (int i = 0; i < 100_000; i++)
            f.Send(Client, Server, C, S, PshAck, "RCPT TO:<x@giftshop.club>\r\n");
        Assert.Equal("RCPT TO:<ok@corp.example>\r\n", f.Handler.Single.ClientText); // first bytes still win
        Assert.Equal(100_000, f.Anomaly("overlap_differs"));
        Assert.Equal(100_000, f.Reassembler.Retransmissions);
    }

    [Fact]
    public void IdenticalRetransmissionsOfDeliveredDataAreNotAnomalies()
    {
        var f = new SegmentFeeder();
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C, S, PshAck, "RCPT TO:<ok@corp.example>\r\n");
        f.Send(Client, Server, C, S, PshAck, "RCPT TO:<ok@corp.example>\r\n");
        f.Send(Client, Server, C + 5, S, PshAck, "TO:<ok");              // a sub-range, other boundaries
        f.Send(Client, Server, C + 21, S, PshAck, "ple>\r\nDATA\r\n");  // part old (same), part new
        Assert.Equal("RCPT TO:<ok@corp.example>\r\nDATA\r\n", f.Handler.Single.ClientText);
        Assert.Equal(0, f.Anomalies.Total);
    }

    [Fact]
    public void PartlyNewSegmentThatRewritesTheDeliveredPartIsCounted()
    {
        var f = new SegmentFeeder();
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C, S, PshAck, "RCPT TO:<ok@corp.example>\r\n");
        f.Send(Client, Server, C + 8, S, PshAck, "<x@giftshop.club>\r\nDATA\r\n"); // rewrites 8..27, adds DATA
        Assert.Equal("RCPT TO:<ok@corp.example>\r\nDATA\r\n", f.Handler.Single.ClientText);
        Assert.Equal(1, f.Anomaly("overlap_differs"));
    }

    [Fact]
    public void OnlyTheHistoryWindowIsCompared()
    {
        var f = new SegmentFeeder(new ReassemblyOptions { DeliveredHistoryBytes = 8 });
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C, S, PshAck, "0123456789abcdef");
        f.Send(Client, Server, C, S, PshAck, "XXXXXXXX");            // offsets 0..8: older than the last 8 bytes
        Assert.Equal(0, f.Anomaly("overlap_differs"));
        f.Send(Client, Server, C + 12, S, PshAck, "cdeX");          // within the window: differs
        Assert.Equal(1, f.Anomaly("overlap_differs"));
        var off = new SegmentFeeder(new ReassemblyOptions { DeliveredHistoryBytes = 0 });
        off.Handshake(1000, 5000);
        off.Send(Client, Server, C, S, PshAck, "abc");
        off.Send(Client, Server, C, S, PshAck, "xyz");
        Assert.Equal(0, off.Anomaly("overlap_differs"));
    }

    /// <summary>
    /// The history ring starts small and grows with the delivered bytes (an idle flow holds a few dozen bytes, not the
    /// whole window): whatever the delivery pieces, every delivered byte within the window is still compared — one
    /// changed byte anywhere in it is counted, an identical copy is not, and a byte older than the window is not.
    /// </summary>
    [Theory]
    [InlineData(256, 1)]
    [InlineData(256, 7)]
    [InlineData(256, 31)]
    [InlineData(256, 33)]
    [InlineData(256, 100)]
    [InlineData(256, 300)]
    [InlineData(100, 13)]
    [InlineData(100, 64)]
    [InlineData(8, 3)]
    public void EveryByteOfTheWindowIsComparedWhateverTheDeliveryPieces(int window, int piece)
    {
        var stream = new byte[300];
        for (int i = 0; i < stream.Length; i++) stream[i] = (byte)('a' + i % 26);
        foreach (int delivered in new[] { 5, 20, 33, 64, 129, 300 })
        {
            var f = new SegmentFeeder(new ReassemblyOptions { DeliveredHistoryBytes = window });
            f.Handshake(1000, 5000);
            for (int at = 0; at < delivered; at += piece)
                f.Send(Client, Server, C + (uint)at, S, PshAck, stream[at..Math.Min(delivered, at + piece)]);
            int oldest = Math.Max(0, delivered - window);
            long expected = 0;
            for (int p = 0; p < delivered; p++)
            {
                var copy = stream[p..delivered];
                f.Send(Client, Server, C + (uint)p, S, PshAck, copy);     // identical: never counted
                copy[0] ^= 0x20;
                f.Send(Client, Server, C + (uint)p, S, PshAck, copy);     // byte p changed
                if (p >= oldest) expected++;
                Assert.Equal(expected, f.Anomaly("overlap_differs"));
            }
            Assert.Equal(Encoding.ASCII.GetString(stream, 0, delivered), f.Handler.Single.ClientText);
        }
    }

    /// <summary>
    /// A closed flow gives its full-size rings back to the reassembler's pool, still holding its bytes; the next flow's
    /// direction takes one when it grows past its first, exact ring. The old bytes must never be compared: the new
    /// flow's own delivered bytes, copied over at the growth, are what a retransmission is checked against.
    /// </summary>
    [Fact]
    public void ARingHandedOnFromAClosedFlowComparesOnlyTheNewFlowsBytes()
    {
        var f = new SegmentFeeder(new ReassemblyOptions { DeliveredHistoryBytes = 64 });
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C, S, PshAck, new string('A', 100)); // fills a full ring with 'A'
        f.Send(Client, Server, C + 100, S, Rst);                    // closed: its rings go to the pool

        var client2 = Ep("10.0.0.1", 40001);
        f.Handshake(client2, Server, 7000, 9000);
        const uint c2 = 7001;
        f.Send(client2, Server, c2, 9001, PshAck, "HELO x\r\n");              // 8 bytes: an exact, small ring
        f.Send(client2, Server, c2 + 8, 9001, PshAck, new string('b', 40));   // grows: a full ring, from the pool
        f.Send(client2, Server, c2, 9001, PshAck, "HELO x\r\n" + new string('b', 40)); // identical copy
        Assert.Equal(0, f.Anomaly("overlap_differs"));
        f.Send(client2, Server, c2 + 2, 9001, PshAck, "LA");                  // rewrites "LO" of the first line
        Assert.Equal(1, f.Anomaly("overlap_differs"));
    }
}
