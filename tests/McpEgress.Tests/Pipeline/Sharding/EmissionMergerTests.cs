using McpEgress.Mail;
using McpEgress.Pipeline.Sharding;
using McpEgress.Protocols.Routing;

namespace McpEgress.Tests.Pipeline.Sharding;

/// <summary>
/// The merge of the shards' events: released in tag order (ties by shard) whatever the threads' timing, only once
/// every shard that could still emit something smaller has passed it, and within a bounded queue per shard.
/// </summary>
public sealed class EmissionMergerTests
{
    private static Emission Event(long number, int phase, long minor1, string name) =>
        new(new EmitTag(EmitTag.MajorOf(number, phase), minor1, 0), name, static (_, _) => { });

    private static string Name(in Emission e) => (string)e.Payload!;

    [Fact]
    public void AnEventWaitsUntilEveryIdleShardHasPassedItsPacket()
    {
        var m = new EmissionMerger(2, 16);
        m.Emit(0, Event(5, EmitTag.Packet, 0, "a5"));
        m.Watermark(0, 5);
        Assert.False(m.TryTake(out _, TimeSpan.Zero)); // shard 1 may still emit for packets 1..5
        m.Watermark(1, 4);
        Assert.False(m.TryTake(out _, TimeSpan.Zero)); // ... for packet 5
        m.Watermark(1, 5);
        Assert.True(m.TryTake(out var e, TimeSpan.Zero));
        Assert.Equal("a5", Name(e));
        Assert.False(m.TryTake(out _, TimeSpan.Zero));
    }

    [Fact]
    public void ShardsQueuedEventsAreReleasedInTagOrderTiesToTheLowerShard()
    {
        var m = new EmissionMerger(3, 16);
        m.Emit(2, Event(3, EmitTag.Expire, 1, "c3-expire-flow1"));
        m.Emit(2, Event(3, EmitTag.GiveUp, 0, "c3-giveup"));
        m.Emit(1, Event(3, EmitTag.Expire, 2, "b3-expire-flow2"));
        m.Emit(1, Event(3, EmitTag.Retry, 0, "b3-retry"));
        m.Emit(0, Event(3, EmitTag.Packet, 0, "a3-packet"));
        m.Emit(0, Event(3, EmitTag.Retry, 0, "a3-retry"));
        m.Emit(1, Event(3, EmitTag.Retry, 0, "b3-retry-2"));
        for (int s = 0; s < 3; s++) m.Complete(s);
        var order = new List<string>();
        while (m.TryTake(out var e, TimeSpan.Zero)) order.Add(Name(e));
        Assert.Equal(["c3-expire-flow1", "b3-expire-flow2", "a3-packet", "a3-retry", "b3-retry", "b3-retry-2", "c3-giveup"], order);
        Assert.True(m.Drained);
    }

    [Fact]
    public void AFullShardQueueMakesTheShardWaitUntilTheMergeTakes()
    {
        var m = new EmissionMerger(2, 4);
        m.Watermark(1, 1000);
        for (int i = 0; i < 3; i++) m.Emit(0, Event(i + 1, EmitTag.Packet, 0, $"e{i + 1}"));
        Assert.Equal(4, m.Queued(1) + m.Queued(0)); // shard 1's watermark (1) + shard 0's three events
        m.Emit(0, Event(4, EmitTag.Packet, 0, "e4")); // fills shard 0's queue
        var blocked = Task.Run(() => m.Emit(0, Event(5, EmitTag.Packet, 0, "e5")));
        Assert.False(blocked.Wait(200));
        Assert.Equal(4, m.Queued(0));
        Assert.True(m.TryTake(out var e, TimeSpan.FromSeconds(5)));
        Assert.Equal("e1", Name(e));
        Assert.True(blocked.Wait(TimeSpan.FromSeconds(5)));
        Assert.Equal(4, m.Queued(0));
    }

    [Fact]
    public void ABatchTakesEveryReleasableEventInOrderAndFreesWaitingShards()
    {
        var m = new EmissionMerger(2, 4);
        for (int i = 1; i <= 4; i++) m.Emit(0, Event(i, EmitTag.Packet, 0, $"a{i}"));
        var blocked = Task.Run(() => m.Emit(0, Event(5, EmitTag.Packet, 0, "a5"))); // shard 0's queue is full
        Assert.False(blocked.Wait(200));
        m.Emit(1, Event(2, EmitTag.Retry, 0, "b2"));
        m.Watermark(1, 3);
        var batch = new Emission[8];
        int n = m.TakeBatch(batch, TimeSpan.FromSeconds(5));
        // a4 waits: shard 1 has passed packet 3 only.
        Assert.Equal(["a1", "a2", "b2", "a3"], batch[..n].Select(e => Name(e)));
        Assert.True(blocked.Wait(TimeSpan.FromSeconds(5))); // woken by the batch
        var late = Task.Run(() => m.TakeBatch(batch, TimeSpan.FromSeconds(30)));
        Assert.False(late.Wait(200)); // nothing releasable: the merge waits
        m.Complete(1); // wakes it at once
        Assert.True(late.Wait(TimeSpan.FromSeconds(5)));
        Assert.Equal(["a4", "a5"], batch[..late.Result].Select(e => Name(e)));
        m.Complete(0);
        Assert.Equal(0, m.TakeBatch(batch, TimeSpan.FromSeconds(5)));
        Assert.True(m.Drained);
    }

    /// <summary>
    /// Shards on threads with random stalls, events of random phases per packet, small queues: the merged stream is
    /// the same sorted one every time, and nothing is lost or duplicated.
    /// </summary>
    [Fact]
    public void ThreadedShardsGiveTheSortedStreamWhateverTheTiming()
    {
        const int shards = 4, packets = 3000;
        int seed = TestSeed.For(nameof(ThreadedShardsGiveTheSortedStreamWhateverTheTiming));
        var plan = new List<(int Shard, Emission Event)>[shards];
        var rng = new Random(seed);
        for (int s = 0; s < shards; s++) plan[s] = [];
        var expected = new List<(EmitTag Tag, int Shard, string Name)>();
        for (long n = 1; n <= packets; n++)
        {
            int owner = rng.Next(shards);
            foreach (int phase in new[] { EmitTag.Expire, EmitTag.Packet, EmitTag.Retry })
                for (int s = 0; s < shards; s++)
                {
                    if (phase == EmitTag.Packet ? s != owner : rng.Next(8) != 0) continue;
                    int k = rng.Next(1, 3);
                    for (int i = 0; i < k; i++)
                    {
                        var ev = Event(n, phase, phase == EmitTag.Packet ? 0 : s * 1000 + n, $"{n}/{phase}/{s}/{i}");
                        plan[s].Add((s, ev));
                        expected.Add((ev.Tag, s, Name(ev)));
                    }
                }
            for (int s = 0; s < shards; s++) plan[s].Add((s, Emission.Watermark(n)));
        }
        var want = expected.OrderBy(e => e.Tag).ThenBy(e => e.Shard).Select(e => e.Name).ToList(); // stable: per-shard order kept

        var m = new EmissionMerger(shards, 8);
        var threads = Enumerable.Range(0, shards).Select(s => new Thread(() =>
        {
            var r = new Random(seed + s);
            foreach (var (_, ev) in plan[s])
            {
                if (ev.IsWatermark) m.Watermark(s, ev.Tag.Number);
                else m.Emit(s, ev);
                if (r.Next(200) == 0) Thread.Sleep(1);
            }
            m.Complete(s);
        })).ToList();
        threads.ForEach(t => t.Start());
        var got = new List<string>();
        var batch = new Emission[5];
        while (true)
        {
            if (got.Count % 2 == 0)
            {
                int n = m.TakeBatch(batch, TimeSpan.FromSeconds(30));
                if (n == 0) break;
                got.AddRange(batch[..n].Select(e => Name(e)));
            }
            else if (m.TryTake(out var e, TimeSpan.FromSeconds(30))) got.Add(Name(e));
            else break;
        }
        threads.ForEach(t => t.Join());
        Assert.True(want.SequenceEqual(got), $"seed {seed}: merged order differs at {want.Zip(got).TakeWhile(p => p.First == p.Second).Count()}");
    }

    [Fact]
    public void ShardOutputForwardsEverySinkCallWithItsTag()
    {
        var m = new EmissionMerger(1, 8);
        var output = new ShardOutput(0, m);
        output.Enter(7, EmitTag.Packet, flowKeyed: false);
        var message = McpEgress.Tests.Detection.TestMessages.PostmarkMcp();
        output.OnMessage(message);
        ((IParkingOrder)output).Serving((EmitTag.MajorOf(3, EmitTag.Expire), 12), givingUp: true);
        var second = McpEgress.Tests.Detection.TestMessages.PostmarkMcp();
        output.OnMessage(second);
        m.Complete(0);
        var sink = new RecordingSink();
        var tags = new List<EmitTag>();
        while (m.TryTake(out var e, TimeSpan.Zero))
        {
            tags.Add(e.Tag);
            e.Deliver!(sink, e.Payload!);
        }
        Assert.Equal([message, second], sink.Messages);
        Assert.Equal([new EmitTag(EmitTag.MajorOf(7, EmitTag.Packet), 0, 0), new EmitTag(EmitTag.MajorOf(7, EmitTag.GiveUp), EmitTag.MajorOf(3, EmitTag.Expire), 12)], tags);
    }

    private sealed class RecordingSink : IProtocolEventSink
    {
        public List<MailMessage> Messages { get; } = [];
        public List<TlsSessionRecord> Tls { get; } = [];
        public void OnMessage(MailMessage message) => Messages.Add(message);
        public void OnTlsSession(TlsSessionRecord record) => Tls.Add(record);
        public void OnMailApiUnreadable(MailApiUnreadableRecord record) { }
        public void OnFlowSummary(FlowSummaryRecord record) { }
    }
}
