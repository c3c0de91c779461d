using McpEgress.Reassembly;
using static McpEgress.Tests.Reassembly.SegmentFeeder;

namespace McpEgress.Tests.Reassembly;

/// <summary>
/// Captures that lose segments the receiver did get (and so never retransmits), with realistic ACKs and slight
/// reordering: every byte must be at its right stream position, every captured byte must be delivered, and the
/// bytes declared missing must be exactly the ones never captured.
/// </summary>
public class TcpReassemblerLossTests
{
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(16)]
    public void LostSegmentsBecomeExactGaps(int seed)
    {
        var rng = new Random(seed);
        var stream = new byte[30_000];
        rng.NextBytes(stream);
        const uint cIsn = 0xFFFF_8000, sIsn = 4000; // client side wraps

        // Send order: each data segment, and after every second one the server's ACK lagging one segment.
        var events = new List<(bool Data, int Offset, int Length)>();
        var segEnds = new List<int>();
        for (int off = 0; off < stream.Length;)
        {
            int len = Math.Min(stream.Length - off, rng.Next(1, 1461));
            events.Add((true, off, len));
            off += len;
            segEnds.Add(off);
            if (segEnds.Count % 2 == 0 && segEnds.Count >= 2) events.Add((false, segEnds[^2], 0));
            if (rng.Next(100) < 3) events.Add((true, off - len, len)); // an occasional spurious retransmission
        }
        // Capture reordering: adjacent swaps.
        for (int i = 0; i + 1 < events.Count; i++)
            if (rng.Next(100) < 20) (events[i], events[i + 1]) = (events[i + 1], events[i]);
        // Capture loss: ~5% of data events.
        var captured = new bool[stream.Length];
        var kept = new List<(bool Data, int Offset, int Length)>();
        int forcedLoss = events.FindIndex(events.Count / 2, e => e.Data);
        for (int k = 0; k < events.Count; k++)
        {
            var e = events[k];
            if (e.Data && (k == forcedLoss || rng.Next(100) < 5)) continue;
            kept.Add(e);
            if (e.Data) for (int i = e.Offset; i < e.Offset + e.Length; i++) captured[i] = true;
        }

        var f = new SegmentFeeder();
        f.Handshake(cIsn, sIsn);
        foreach (var e in kept)
        {
            if (e.Data)
                f.Send(Client, Server, unchecked(cIsn + 1 + (uint)e.Offset), sIsn + 1, PshAck, stream.AsSpan(e.Offset, e.Length).ToArray());
            else
                f.Send(Server, Client, sIsn + 1, unchecked(cIsn + 1 + (uint)e.Offset), Ack);
        }
        uint fin = unchecked(cIsn + 1 + (uint)stream.Length);
        f.Send(Client, Server, fin, sIsn + 1, FinAck);
        f.Send(Server, Client, sIsn + 1, fin + 1, FinAck);
        f.Reassembler.CloseAll(f.Now + 60_000 * Ms);

        var r = f.Handler.Single;
        Assert.Empty(f.Handler.Violations);
        var delivered = new bool[stream.Length];
        var data = r.Client;
        int dataIndex = 0;
        long offset = 0;
        void Take(int upTo)
        {
            for (; dataIndex < upTo; dataIndex++, offset++)
            {
                Assert.Equal(stream[offset], data[dataIndex]);
                delivered[offset] = true;
            }
        }
        foreach (var gap in r.Gaps.Where(g => g.Direction == FlowDirection.ClientToServer))
        {
            Take(gap.Position);
            offset += gap.Missing;
        }
        Take(data.Length);
        Assert.Equal(stream.Length, offset);
        Assert.Equal(captured, delivered); // nothing captured was skipped, nothing uncaptured was invented
        Assert.Contains(captured, c => !c);
        Assert.Equal([FlowCloseReason.Fin], r.Closes);
    }
}
