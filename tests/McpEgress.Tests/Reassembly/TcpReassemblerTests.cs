using System.Text;
using McpEgress.Reassembly;
using static McpEgress.Tests.Reassembly.SegmentFeeder;

namespace McpEgress.Tests.Reassembly;

public class TcpReassemblerTests
{
    // Client ISN 1000 (data from 1001), server ISN 5000 (data from 5001).
    private const uint C = 1001, S = 5001;

    private static byte[] B(string s) => Encoding.ASCII.GetBytes(s);

    [Fact]
    public void InOrderConversationIsDeliveredAndClosedByFin()
    {
        var f = new SegmentFeeder();
        f.Handshake(1000, 5000);
        f.Send(Server, Client, S, C, PshAck, "220 mx ESMTP\r\n");          // 14 bytes
        f.Send(Client, Server, C, S + 14, PshAck, "EHLO ");                 // 5 bytes
        f.Send(Client, Server, C + 5, S + 14, PshAck, "me\r\n");            // 4 bytes
        f.Send(Server, Client, S + 14, C + 9, PshAck, "250 ok\r\n");        // 8 bytes
        f.Send(Client, Server, C + 9, S + 22, FinAck);
        f.Send(Server, Client, S + 22, C + 10, FinAck);
        f.Send(Client, Server, C + 10, S + 23, Ack);

        var r = f.Handler.Single;
        Assert.Empty(f.Handler.Violations);
        Assert.False(r.Flow.PickedUpMidStream);
        Assert.Equal(Client, r.Flow.Key.Client);
        Assert.Equal(Server, r.Flow.Key.Server);
        Assert.Equal("EHLO me\r\n", r.ClientText);
        Assert.Equal("220 mx ESMTP\r\n250 ok\r\n", r.ServerText);
        Assert.Empty(r.Gaps);
        Assert.Equal([FlowCloseReason.Fin], r.Closes);
        Assert.Equal(9, r.Flow.DeliveredBytes[0]);
        Assert.Equal(0, f.Reassembler.ActiveFlows);
        Assert.Equal(0, f.Reassembler.BufferedBytes);
        Assert.Equal(0, f.Anomalies.Total);
    }

    public static IEnumerable<object[]> SegmentCounts() => [[4], [5], [6]];

    [Theory]
    [MemberData(nameof(SegmentCounts))]
    public void EveryPermutationOfSegmentsGivesTheSameStream(int count)
    {
        // Segments of unequal sizes: lengths 1, 2, 3, ... so every boundary differs.
        var pieces = Enumerable.Range(0, count).Select(i => new string((char)('a' + i), i + 1)).ToArray();
        string expected = string.Concat(pieces);
        var offsets = new uint[count];
        for (int i = 1; i < count; i++) offsets[i] = offsets[i - 1] + (uint)pieces[i - 1].Length;

        int permutations = 0;
        foreach (var order in Permutations(Enumerable.Range(0, count).ToArray()))
        {
            var f = new SegmentFeeder();
            f.Handshake(1000, 5000);
            foreach (int i in order) f.Send(Client, Server, C + offsets[i], S, PshAck, pieces[i]);
            var r = f.Handler.Single;
            Assert.Equal(expected, r.ClientText);
            Assert.Empty(r.Gaps);
            Assert.Equal(0, f.Reassembler.BufferedBytes);
            Assert.Empty(f.Handler.Violations);
            permutations++;
        }
        Assert.Equal(Enumerable.Range(1, count).Aggregate(1, (a, b) => a * b), permutations);
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1) { yield return items; yield break; }
        for (int i = 0; i < items.Length; i++)
            foreach (var rest in Permutations(items.Where((_, j) => j != i).ToArray()))
                yield return [items[i], .. rest];
    }

    [Fact]
    public void RetransmissionsAreDroppedAndCounted()
    {
        var f = new SegmentFeeder();
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C, S, PshAck, "MAIL ");
        f.Send(Client, Server, C, S, PshAck, "MAIL ");          // full retransmission
        f.Send(Client, Server, C + 3, S, PshAck, "L FROM:");    // partial: "L " old, "FROM:" new
        f.Send(Client, Server, C + 10, S, PshAck, "<a@b>");

        Assert.Equal("MAIL FROM:<a@b>", f.Handler.Single.ClientText);
        Assert.Equal(1, f.Reassembler.Retransmissions);
        Assert.Equal(0, f.Anomalies.Total);
    }

    [Fact]
    public void OverlapWithDifferentBytesKeepsFirstReceived()
    {
        var f = new SegmentFeeder();
        f.Handshake(1000, 5000);
        // Held out of order first: offsets 5..10 = "Bcc:x".
        f.Send(Client, Server, C + 5, S, PshAck, "Bcc:x");
        // A second out-of-order copy of 7..12 that disagrees on 7..10 ("c:x" vs "XYZ") and adds "\r\n".
        f.Send(Client, Server, C + 7, S, PshAck, "XYZ\r\n");
        // In-order segment covering 0..10 that disagrees on 5..10.
        f.Send(Client, Server, C, S, PshAck, "To: yHELLO");

        Assert.Equal("To: yBcc:x\r\n", f.Handler.Single.ClientText);
        Assert.Equal(2, f.Anomaly("overlap_differs"));
    }

    [Fact]
    public void IdenticalOverlapsAreNotAnomalies()
    {
        var f = new SegmentFeeder();
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C + 4, S, PshAck, "efgh");
        f.Send(Client, Server, C + 2, S, PshAck, "cdef");   // overlaps held "ef"
        f.Send(Client, Server, C + 4, S, PshAck, "efgh");   // copy of held data
        f.Send(Client, Server, C, S, PshAck, "abcdefghij");  // covers everything
        Assert.Equal("abcdefghij", f.Handler.Single.ClientText);
        Assert.Equal(0, f.Anomalies.Total);
        Assert.Equal(0, f.Reassembler.BufferedBytes);
    }

    [Fact]
    public void SequenceNumbersWrapAround()
    {
        var f = new SegmentFeeder();
        uint isn = 0xFFFF_FFF0;
        f.Handshake(isn, 5000);
        uint first = isn + 1; // 0xFFFFFFF1: 15 bytes before the wrap
        string text = "0123456789abcdefghijklmnopqrstuvwxyz"; // 36 bytes, crosses 2^32
        // Out of order: the part after the wrap first.
        f.Send(Client, Server, unchecked(first + 20), S, PshAck, text[20..]);
        f.Send(Client, Server, unchecked(first + 10), S, PshAck, text[10..20]);
        f.Send(Client, Server, first, S, PshAck, text[..10]);
        f.Send(Client, Server, unchecked(first + 36), S, FinAck);
        f.Send(Server, Client, S, unchecked(first + 37), FinAck);

        var r = f.Handler.Single;
        Assert.Equal(text, r.ClientText);
        Assert.Empty(r.Gaps);
        Assert.Equal([FlowCloseReason.Fin], r.Closes);
    }

    [Fact]
    public void MidStreamPickupGuessesServerByWellKnownPort()
    {
        var f = new SegmentFeeder();
        // First packet seen goes server (port 25) -> client: the server is still the port-25 side.
        f.Send(Server, Client, 77_000, 9_000, PshAck, "250 OK\r\n");
        f.Send(Client, Server, 9_000, 77_008, PshAck, "DATA\r\n");

        var r = f.Handler.Single;
        Assert.True(r.Flow.PickedUpMidStream);
        Assert.Equal(Server, r.Flow.Key.Server);
        Assert.Equal("DATA\r\n", r.ClientText);
        Assert.Equal("250 OK\r\n", r.ServerText);
    }

    [Theory]
    [InlineData(51000, 52000, 52000)] // neither well known: destination of the first packet
    [InlineData(52000, 51000, 51000)]
    [InlineData(443, 51000, 443)]     // one well known
    [InlineData(51000, 8443, 8443)]
    [InlineData(587, 2525, 587)]      // both: the lower port
    [InlineData(8080, 80, 80)]
    public void MidStreamServerGuess(int srcPort, int dstPort, int serverPort)
    {
        var f = new SegmentFeeder();
        f.Send(Ep("10.1.1.1", (ushort)srcPort), Ep("10.2.2.2", (ushort)dstPort), 1, 1, PshAck, "x");
        Assert.Equal(serverPort, f.Handler.Single.Flow.Key.Server.Port);
    }

    [Fact]
    public void MidStreamUsesPeerAckSoAReorderedFirstSegmentIsNotLost()
    {
        var f = new SegmentFeeder();
        // Server data acknowledges client sequence 9000; the client's segment at 9005 arrives before 9000..9005.
        f.Send(Server, Client, 77_000, 9_000, PshAck, "354 go\r\n");
        f.Send(Client, Server, 9_005, 77_008, PshAck, "World");
        f.Send(Client, Server, 9_000, 77_008, PshAck, "Hello");
        Assert.Equal("HelloWorld", f.Handler.Single.ClientText);
        Assert.Empty(f.Handler.Single.Gaps);
    }

    [Fact]
    public void DataOnSynIsDelivered()
    {
        var f = new SegmentFeeder();
        f.Send(Client, Server, 1000, 0, Syn, "EHLO tfo\r\n");          // TCP Fast Open: data on the SYN
        f.Send(Server, Client, 5000, 1011, SynAck);
        f.Send(Client, Server, 1011, S, PshAck, "QUIT\r\n");
        f.Send(Client, Server, 1000, 0, Syn, "EHLO tfo\r\n");          // retransmitted SYN: same ISN, same flow
        var r = f.Handler.Single;
        Assert.Equal("EHLO tfo\r\nQUIT\r\n", r.ClientText);
        Assert.Equal(1, f.Reassembler.Retransmissions);
    }

    [Fact]
    public void AckAboveHoleDeclaresGapAndContinues()
    {
        var f = new SegmentFeeder(new ReassemblyOptions { AckAboveHoleGraceSegments = 0 });
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C, S, PshAck, "aaaaa");         // 0..5
        // 5..10 never captured
        f.Send(Client, Server, C + 10, S, PshAck, "ccccc");    // 10..15 held
        Assert.Equal("aaaaa", f.Handler.Single.ClientText);
        f.Send(Server, Client, S, C + 15, Ack);                // the server got everything up to 15

        var r = f.Handler.Single;
        Assert.Equal("aaaaaccccc", r.ClientText);
        Assert.Equal([(FlowDirection.ClientToServer, 5, 5L)], r.Gaps);
        Assert.Equal(1, f.Anomaly("ack_above_hole"));
        Assert.Equal(5, r.Flow.GapBytes[0]);
    }

    [Fact]
    public void AckAboveHoleWaitsForReorderedData()
    {
        var f = new SegmentFeeder(); // default grace: 8 segments
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C + 5, S, PshAck, "World");
        f.Send(Server, Client, S, C + 10, Ack);                // capture reordered: the ACK before the data
        f.Send(Server, Client, S, C + 10, PshAck, "250 x\r\n");
        f.Send(Client, Server, C, S, PshAck, "Hello");
        Assert.Equal("HelloWorld", f.Handler.Single.ClientText);
        Assert.Empty(f.Handler.Single.Gaps);
        Assert.Equal(0, f.Anomaly("ack_above_hole"));
    }

    [Fact]
    public void AckAboveHoleIsDeclaredAfterGraceSegments()
    {
        var f = new SegmentFeeder(new ReassemblyOptions { AckAboveHoleGraceSegments = 3 });
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C + 5, S, PshAck, "World");
        f.Send(Server, Client, S, C + 10, Ack);                // hole noticed at this segment
        f.Send(Server, Client, S, C + 10, Ack);
        f.Send(Server, Client, S, C + 10, Ack);
        Assert.Empty(f.Handler.Single.Gaps);
        f.Send(Server, Client, S, C + 10, Ack);                // third segment after: declared
        Assert.Equal("World", f.Handler.Single.ClientText);
        Assert.Equal([(FlowDirection.ClientToServer, 0, 5L)], f.Handler.Single.Gaps);
    }

    [Fact]
    public void AckedTailNeverCapturedIsAGapAtClose()
    {
        var f = new SegmentFeeder(new ReassemblyOptions { AckAboveHoleGraceSegments = 100 });
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C, S, PshAck, "abc");
        f.Send(Server, Client, S, C + 8, Ack);                 // 3..8 acked, never seen
        f.Reassembler.CloseAll(f.Now);
        var r = f.Handler.Single;
        Assert.Equal([(FlowDirection.ClientToServer, 3, 5L)], r.Gaps);
        Assert.Equal([FlowCloseReason.EndOfCapture], r.Closes);
    }

    [Fact]
    public void BufferLimitDeclaresGapAndDeliversHeldData()
    {
        var f = new SegmentFeeder(new ReassemblyOptions { MaxBufferedBytesPerDirection = 20, AckAboveHoleGraceSegments = 1000 });
        f.Handshake(1000, 5000);
        // 0..10 missing; 10..20 and 20..30 fit (20 bytes); 30..40 does not.
        f.Send(Client, Server, C + 10, S, PshAck, "bbbbbbbbbb");
        f.Send(Client, Server, C + 20, S, PshAck, "cccccccccc");
        Assert.Equal(20, f.Reassembler.BufferedBytes);
        Assert.Empty(f.Handler.Single.ClientText);
        f.Send(Client, Server, C + 30, S, PshAck, "dddddddddd");

        var r = f.Handler.Single;
        Assert.Equal("bbbbbbbbbbccccccccccdddddddddd", r.ClientText);
        Assert.Equal([(FlowDirection.ClientToServer, 0, 10L)], r.Gaps);
        Assert.Equal(1, f.Anomaly("out_of_order_buffer_full"));
        Assert.Equal(0, f.Reassembler.BufferedBytes);
        // The lost bytes arriving late are old now.
        f.Send(Client, Server, C, S, PshAck, "aaaaaaaaaa");
        Assert.Equal(30, r.Client.Length);
    }

    [Fact]
    public void SegmentCountLimitDeclaresGap()
    {
        var f = new SegmentFeeder(new ReassemblyOptions { MaxSegmentsPerDirection = 3, AckAboveHoleGraceSegments = 1000 });
        f.Handshake(1000, 5000);
        // Hole at 0; pieces at 1, 3, 5 held; the piece at 7 forces the hole at 0 out, then 1 is delivered.
        f.Send(Client, Server, C + 1, S, PshAck, "b");
        f.Send(Client, Server, C + 3, S, PshAck, "d");
        f.Send(Client, Server, C + 5, S, PshAck, "f");
        f.Send(Client, Server, C + 7, S, PshAck, "h");
        var r = f.Handler.Single;
        Assert.Equal("b", r.ClientText);
        Assert.Equal([(FlowDirection.ClientToServer, 0, 1L)], r.Gaps);
        f.Send(Client, Server, C + 2, S, PshAck, "c");
        Assert.Equal("bcd", r.ClientText);
    }

    [Fact]
    public void RstClosesAfterDeliveringAndFlushesHeldData()
    {
        var f = new SegmentFeeder();
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C, S, PshAck, "abc");
        f.Send(Client, Server, C + 5, S, PshAck, "fg");       // 3..5 missing
        f.Send(Server, Client, S, C + 3, Rst | Ack);
        var r = f.Handler.Single;
        Assert.Equal("abcfg", r.ClientText);
        Assert.Equal([(FlowDirection.ClientToServer, 3, 2L)], r.Gaps);
        Assert.Equal([FlowCloseReason.Reset], r.Closes);
        Assert.Equal(0, f.Reassembler.ActiveFlows);

        // Late data on the reset flow: no new flow, an anomaly.
        f.Send(Client, Server, C + 7, S, PshAck, "zz");
        Assert.Single(f.Handler.Flows);
        Assert.Equal(1, f.Anomaly("data_after_close"));
        Assert.Empty(f.Handler.Violations);
    }

    [Fact]
    public void FinWithHoleWaitsForLateDataThenCloses()
    {
        var f = new SegmentFeeder(new ReassemblyOptions { AckAboveHoleGraceSegments = 1000 });
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C + 3, S, FinAck, "def");      // FIN at 6; 0..3 not seen yet
        f.Send(Server, Client, S, C, FinAck);
        Assert.Empty(f.Handler.Single.Closes);                // waits for the hole
        f.Send(Client, Server, C, S + 1, PshAck, "abc");      // the retransmission fills it
        var r = f.Handler.Single;
        Assert.Equal("abcdef", r.ClientText);
        Assert.Equal([FlowCloseReason.Fin], r.Closes);

        // Late retransmitted FIN/ACK and data during the linger: recognised, no new flow.
        f.Send(Client, Server, C + 3, S + 1, FinAck, "def");
        f.Send(Server, Client, S, C + 7, FinAck);
        Assert.Single(f.Handler.Flows);
        Assert.Equal(0, f.Anomaly("data_after_close"));
    }

    [Fact]
    public void FinWithUnfilledHoleClosesAfterLinger()
    {
        var f = new SegmentFeeder(new ReassemblyOptions { ClosedFlowLinger = TimeSpan.FromSeconds(10), AckAboveHoleGraceSegments = 1000 });
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C + 3, S, FinAck, "def");
        f.Send(Server, Client, S, C, FinAck);
        f.Reassembler.AdvanceTime(f.Now + 9_000 * Ms);
        Assert.Empty(f.Handler.Single.Closes);
        f.Reassembler.AdvanceTime(f.Now + 10_000 * Ms);
        var r = f.Handler.Single;
        Assert.Equal("def", r.ClientText);
        Assert.Equal([(FlowDirection.ClientToServer, 0, 3L)], r.Gaps);
        Assert.Equal([FlowCloseReason.Fin], r.Closes);
        Assert.Equal(0, f.Reassembler.TrackedFlows);
    }

    [Fact]
    public void IdleFlowTimesOut()
    {
        var f = new SegmentFeeder(new ReassemblyOptions { IdleTimeout = TimeSpan.FromMinutes(5) });
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C, S, PshAck, "abc");
        long last = f.Now;
        f.Reassembler.AdvanceTime(last + TimeSpan.FromMinutes(5).Ticks * 100 - 1);
        Assert.Equal(1, f.Reassembler.ActiveFlows);
        f.Reassembler.AdvanceTime(last + TimeSpan.FromMinutes(5).Ticks * 100);
        Assert.Equal([FlowCloseReason.IdleTimeout], f.Handler.Single.Closes);
        Assert.Equal(0, f.Reassembler.ActiveFlows);
        Assert.Equal(0, f.Reassembler.TrackedFlows);
    }

    [Fact]
    public void IdleTimeoutIsDrivenByPacketTimeOfOtherFlows()
    {
        var f = new SegmentFeeder(new ReassemblyOptions { IdleTimeout = TimeSpan.FromSeconds(1) });
        f.Handshake(1000, 5000);
        var other = Ep("10.0.0.3", 40001);
        for (int i = 0; i < 1100; i++) f.Send(other, Server, (uint)(100 + i), 1, PshAck, "x"); // 1.1 s of packets
        Assert.Equal([FlowCloseReason.IdleTimeout], f.Handler.Flows[0].Closes);
        Assert.Empty(f.Handler.Flows[1].Closes);
    }

    [Fact]
    public void FullTableEvictsLeastRecentlyUsedFlow()
    {
        var f = new SegmentFeeder(new ReassemblyOptions { MaxFlows = 2 });
        var a = Ep("10.0.0.11", 40001);
        var b = Ep("10.0.0.12", 40002);
        var c = Ep("10.0.0.13", 40003);
        f.Handshake(a, Server, 100, 200);
        f.Handshake(b, Server, 300, 400);
        f.Send(a, Server, 101, 201, PshAck, "still here");   // a is now more recent than b
        f.Handshake(c, Server, 500, 600);

        var flows = f.Handler.Flows;
        Assert.Equal(3, flows.Count);
        Assert.Empty(flows[0].Closes);
        Assert.Equal([FlowCloseReason.Evicted], flows[1].Closes);
        Assert.Empty(flows[2].Closes);
        Assert.Equal(1, f.Anomaly("flow_table_full"));
        Assert.Equal(1, f.Reassembler.Evictions);
        Assert.Equal(2, f.Reassembler.ActiveFlows);
    }

    [Fact]
    public void NewSynOnClosedTupleStartsNewFlow()
    {
        var f = new SegmentFeeder();
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C, S, PshAck, "first");
        f.Send(Client, Server, C + 5, S, FinAck);
        f.Send(Server, Client, S, C + 6, FinAck);
        // Same 4-tuple, new ISN, inside the linger: a new connection.
        f.Handshake(70_000, 90_000);
        f.Send(Client, Server, 70_001, 90_001, PshAck, "second");

        Assert.Equal(2, f.Handler.Flows.Count);
        Assert.Equal("first", f.Handler.Flows[0].ClientText);
        Assert.Equal("second", f.Handler.Flows[1].ClientText);
        Assert.NotEqual(f.Handler.Flows[0].Flow.Id, f.Handler.Flows[1].Flow.Id);
        Assert.False(f.Handler.Flows[1].Flow.PickedUpMidStream);
        Assert.Empty(f.Handler.Violations);
    }

    [Fact]
    public void NewSynOnOpenTupleReplacesTheOldFlow()
    {
        var f = new SegmentFeeder();
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C, S, PshAck, "old");
        f.Handshake(70_000, 90_000);                          // its end was never captured
        Assert.Equal(2, f.Handler.Flows.Count);
        Assert.Single(f.Handler.Flows[0].Closes);
        Assert.Equal(1, f.Anomaly("syn_on_open_flow"));
    }

    [Fact]
    public void CloseAllFlushesHeldDataWithGaps()
    {
        var f = new SegmentFeeder(new ReassemblyOptions { AckAboveHoleGraceSegments = 1000 });
        f.Handshake(1000, 5000);
        f.Send(Client, Server, C, S, PshAck, "ab");
        f.Send(Client, Server, C + 4, S, PshAck, "ef");
        f.Send(Client, Server, C + 8, S, PshAck, "ij");
        f.Reassembler.CloseAll(f.Now);
        var r = f.Handler.Single;
        Assert.Equal("abefij", r.ClientText);
        Assert.Equal([(FlowDirection.ClientToServer, 2, 2L), (FlowDirection.ClientToServer, 4, 2L)], r.Gaps);
        Assert.Equal([FlowCloseReason.EndOfCapture], r.Closes);
        Assert.Equal(0, f.Reassembler.BufferedBytes);
        Assert.Equal(0, f.Reassembler.TrackedFlows);
    }

    [Fact]
    public void BareAckWithoutFlowIsIgnored()
    {
        var f = new SegmentFeeder();
        f.Send(Client, Server, 1, 1, Ack);
        f.Send(Client, Server, 1, 1, Rst);
        Assert.Empty(f.Handler.Flows);
        Assert.Equal(2, f.Reassembler.SegmentsWithoutFlow);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RandomSegmentationShuffleAndDuplicationGivesExactStream(int seed)
    {
        var rng = new Random(seed);
        var clientStream = new byte[20_000];
        var serverStream = new byte[7_000];
        rng.NextBytes(clientStream);
        rng.NextBytes(serverStream);
        uint cIsn = (uint)rng.NextInt64(0, 1L << 32), sIsn = 0xFFFF_F000; // server side wraps

        var segs = new List<(bool FromClient, long Offset, int Length)>();
        void Cut(bool fromClient, int total)
        {
            for (int off = 0; off < total;)
            {
                int len = Math.Min(total - off, rng.Next(1, 1500));
                segs.Add((fromClient, off, len));
                off += len;
            }
            // Duplicates, some re-cut so they overlap segment boundaries.
            for (int i = 0; i < total / 2000; i++)
            {
                int off = rng.Next(total), len = Math.Min(total - off, rng.Next(1, 3000));
                segs.Add((fromClient, off, len));
            }
        }
        Cut(true, clientStream.Length);
        Cut(false, serverStream.Length);
        var shuffled = segs.OrderBy(_ => rng.Next()).ToList();

        var f = new SegmentFeeder(new ReassemblyOptions { AckAboveHoleGraceSegments = 1000 });
        f.Handshake(cIsn, sIsn);
        foreach (var (fromClient, off, len) in shuffled)
        {
            // ACK numbers stay at the start: the peers "have not received" anything, so no ACK-above-hole gaps.
            if (fromClient)
                f.Send(Client, Server, unchecked(cIsn + 1 + (uint)off), sIsn + 1, PshAck, clientStream.AsSpan((int)off, len).ToArray());
            else
                f.Send(Server, Client, unchecked(sIsn + 1 + (uint)off), cIsn + 1, PshAck, serverStream.AsSpan((int)off, len).ToArray());
        }
        f.Send(Client, Server, unchecked(cIsn + 1 + (uint)clientStream.Length), sIsn + 1, FinAck);
        f.Send(Server, Client, unchecked(sIsn + 1 + (uint)serverStream.Length), unchecked(cIsn + 2 + (uint)clientStream.Length), FinAck);

        var r = f.Handler.Single;
        Assert.Equal(clientStream, r.Client);
        Assert.Equal(serverStream, r.Server);
        Assert.Empty(r.Gaps);
        Assert.Equal([FlowCloseReason.Fin], r.Closes);
        Assert.Equal(0, f.Anomalies.Total);
        Assert.Equal(0, f.Reassembler.BufferedBytes);
        Assert.True(f.Reassembler.Retransmissions > 0);
        Assert.Empty(f.Handler.Violations);
    }

    [Fact]
    public void OutOfOrderFloodStaysWithinLimits()
    {
        var options = new ReassemblyOptions
        {
            MaxBufferedBytesPerDirection = 64 * 1024,
            MaxBufferedBytesTotal = 200 * 1024,
            MaxSegmentsPerDirection = 100,
            AckAboveHoleGraceSegments = 1000,
        };
        var f = new SegmentFeeder(options);
        var rng = new Random(7);
        var payload = new byte[1400];
        long maxBuffered = 0;
        for (int flow = 0; flow < 8; flow++)
        {
            var client = Ep("10.9.0." + (flow + 1), 40000);
            f.Handshake(client, Server, 1000, 5000);
            // Every segment leaves a 1-byte hole before it: nothing is ever in order.
            for (int i = 0; i < 500; i++)
            {
                int len = rng.Next(1, 1400);
                f.Send(client, Server, (uint)(1001 + 1 + i * 1500), 5001, PshAck, payload.AsSpan(0, len).ToArray());
                maxBuffered = Math.Max(maxBuffered, f.Reassembler.BufferedBytes);
            }
        }
        Assert.True(maxBuffered <= options.MaxBufferedBytesTotal, $"buffered {maxBuffered}");
        Assert.True(f.Anomaly("out_of_order_buffer_full") > 0);
        // Data was not thrown away: it was delivered after declared gaps.
        Assert.All(f.Handler.Flows, r => Assert.True(r.Client.Length > 0 && r.Gaps.Count > 0));
        f.Reassembler.CloseAll(f.Now);
        Assert.Equal(0, f.Reassembler.BufferedBytes);
        long delivered = f.Handler.Flows.Sum(r => (long)r.Client.Length);
        Assert.Equal(f.Reassembler.DeliveredBytes, delivered);
        Assert.Empty(f.Handler.Violations);
    }

    [Fact]
    public void TinySegmentFloodIsCappedByPieceCount()
    {
        var f = new SegmentFeeder(new ReassemblyOptions { MaxSegmentsPerDirection = 16, AckAboveHoleGraceSegments = 1000 });
        f.Handshake(1000, 5000);
        // 1-byte segments at every other offset, highest first, so every one lands as a separate held piece.
        for (int i = 200; i >= 1; i--)
        {
            f.Send(Client, Server, (uint)(C + 2 * i), S, PshAck, "x");
            Assert.True(f.Reassembler.BufferedBytes <= 16);
        }
        f.Reassembler.CloseAll(f.Now);
        Assert.Equal(0, f.Reassembler.BufferedBytes);
        Assert.Empty(f.Handler.Violations);
    }
}
