using McpEgress.Capture;
using McpEgress.Capture.Live;

namespace McpEgress.Tests.Capture.Live;

/// <summary>The preallocated queue between capture threads and the reader, driven directly (no libpcap).</summary>
public unsafe class PacketQueueTests
{
    private static bool Enqueue(PacketQueue q, byte fill, int length, int interfaceId = 0, long ts = 0)
    {
        var data = new byte[length];
        Array.Fill(data, fill);
        fixed (byte* p = data)
            return q.TryEnqueue(interfaceId, LinkType.Ethernet, ts, length + 10, p, length);
    }

    [Fact]
    public void DeliversInOrderWithMetadata()
    {
        var q = new PacketQueue(packets: 4, bytes: 1024);
        Assert.True(Enqueue(q, 0xAA, 3, interfaceId: 1, ts: 111));
        Assert.True(Enqueue(q, 0xBB, 5, interfaceId: 2, ts: 222));

        Assert.True(q.TryDequeue(out var p));
        Assert.Equal([0xAA, 0xAA, 0xAA], p.Data.ToArray());
        Assert.Equal(1, p.InterfaceId);
        Assert.Equal(111, p.TimestampNs);
        Assert.Equal(13, p.OriginalLength);
        Assert.Equal(LinkType.Ethernet, p.LinkType);

        Assert.True(q.TryDequeue(out p));
        Assert.Equal(5, p.Data.Length);
        Assert.Equal(0xBB, p.Data[4]);
        Assert.Equal(2, p.InterfaceId);
        Assert.False(q.TryDequeue(out _));
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public void FullRecordTableRejectsUntilTheReaderMovesOn()
    {
        var q = new PacketQueue(packets: 2, bytes: 1024);
        Assert.True(Enqueue(q, 1, 10));
        Assert.True(Enqueue(q, 2, 10));
        Assert.False(Enqueue(q, 3, 10));           // two records, both taken

        Assert.True(q.TryDequeue(out var p));      // the reader holds record 1: not free yet
        Assert.Equal(1, p.Data[0]);
        Assert.False(Enqueue(q, 3, 10));

        Assert.True(q.TryDequeue(out p));          // taking record 2 releases record 1
        Assert.Equal(2, p.Data[0]);
        Assert.True(Enqueue(q, 3, 10));
        Assert.False(Enqueue(q, 4, 10));
    }

    [Fact]
    public void FullArenaRejectsAndThePacketHeldStaysIntact()
    {
        var q = new PacketQueue(packets: 16, bytes: 100);
        Assert.True(Enqueue(q, 1, 60));
        Assert.False(Enqueue(q, 2, 50));           // 60 + 50 > 100
        Assert.True(Enqueue(q, 2, 40));            // exactly full

        Assert.True(q.TryDequeue(out var p));
        Assert.False(Enqueue(q, 3, 1));            // record 1's bytes are still held by the reader
        Assert.All(p.Data.ToArray(), b => Assert.Equal(1, b));
    }

    [Fact]
    public void PacketsNeverWrapAroundTheArenaEnd()
    {
        // Arena of 100: A[0,60) B[60,90); after A is released C (30 bytes) does not fit in [90,100) and goes to [0,30).
        var q = new PacketQueue(packets: 16, bytes: 100);
        Assert.True(Enqueue(q, 0xA, 60));
        Assert.True(Enqueue(q, 0xB, 30));
        Assert.True(q.TryDequeue(out _));          // holds A
        Assert.False(Enqueue(q, 0xC, 30));         // [0,60) still held
        Assert.True(q.TryDequeue(out var b));      // releases A, holds B
        Assert.Equal(30, b.Data.Length);
        Assert.True(Enqueue(q, 0xC, 30));          // skips the 10-byte tail, lands at 0
        Assert.False(Enqueue(q, 0xD, 31));         // [30,60) free = 30 bytes only
        Assert.True(Enqueue(q, 0xD, 30));

        Assert.True(q.TryDequeue(out var c));
        Assert.Equal(Enumerable.Repeat((byte)0xC, 30), c.Data.ToArray());
        Assert.True(q.TryDequeue(out var d));
        Assert.Equal(Enumerable.Repeat((byte)0xD, 30), d.Data.ToArray());
        Assert.False(q.TryDequeue(out _));
    }

    [Fact]
    public void CompleteWakesAnEndlessWaitAndKeepsWhatIsQueued()
    {
        var q = new PacketQueue(packets: 4, bytes: 64);
        var waiter = new Thread(() => q.Wait(Timeout.Infinite));
        waiter.Start();
        Assert.True(Enqueue(q, 7, 4));             // a publish wakes the waiter...
        Assert.True(waiter.Join(TimeSpan.FromSeconds(30)));

        q.Complete();
        Assert.True(q.IsCompleted);
        var late = new Thread(() => q.Wait(Timeout.Infinite)); // ...and after Complete nothing waits at all
        late.Start();
        Assert.True(late.Join(TimeSpan.FromSeconds(30)));
        Assert.True(q.TryDequeue(out var p));
        Assert.Equal(7, p.Data[0]);
        q.Wait(Timeout.Infinite);                  // releases the held packet, returns at once
        Assert.False(q.TryDequeue(out _));
    }

    [Fact]
    public void ConcurrentProducersLoseNothingTheyWereToldWasQueued()
    {
        // Four producers, one consumer; each packet carries (producer, counter) so order per producer can be checked.
        const int Producers = 4, PerProducer = 20000;
        var q = new PacketQueue(packets: 64, bytes: 4096);
        var accepted = new long[Producers];
        var threads = Enumerable.Range(0, Producers).Select(id => new Thread(() =>
        {
            var buffer = new byte[8];
            for (int i = 0; i < PerProducer; i++)
            {
                BitConverter.TryWriteBytes(buffer, i);
                BitConverter.TryWriteBytes(buffer.AsSpan(4), id);
                fixed (byte* p = buffer)
                    if (q.TryEnqueue(id, LinkType.Raw, i, 8, p, 8)) accepted[id]++;
            }
        })).ToArray();
        foreach (var t in threads) t.Start();

        var last = Enumerable.Repeat(-1, Producers).ToArray();
        var received = new long[Producers];
        while (threads.Any(t => t.IsAlive) || q.Count > 0)
        {
            if (!q.TryDequeue(out var p)) { q.Wait(1); continue; }
            int counter = BitConverter.ToInt32(p.Data);
            int id = BitConverter.ToInt32(p.Data[4..]);
            Assert.Equal(id, p.InterfaceId);
            Assert.Equal(counter, p.TimestampNs);
            Assert.True(counter > last[id], "per-producer order kept");
            last[id] = counter;
            received[id]++;
        }
        Assert.Equal(accepted, received);
        Assert.True(received.Sum() > 0);
    }
}

/// <summary>Issue 15 item 4: when the queue must drop, packets of expendable flows go first.</summary>
public unsafe class PacketQueueDropPreferenceTests
{
    private static QueueOffer Offer(PacketQueue q, PacketTriage triage, int length = 10)
    {
        var data = new byte[length];
        fixed (byte* p = data) return q.Offer(triage, 0, LinkType.Ethernet, 0, length, p, length);
    }

    [Fact]
    public void AboveHighWater_ExpendableFlowsAreDropped_OthersKeepTheRest_BypassedNeverQueued()
    {
        var q = new PacketQueue(packets: 8, bytes: 1 << 16, highWater: 0.5);
        Assert.Equal(QueueOffer.Bypassed, Offer(q, PacketTriage.Bypass));        // not queued, and not a drop
        Assert.Equal(0, q.Count);
        for (int i = 0; i < 4; i++) Assert.Equal(QueueOffer.Queued, Offer(q, PacketTriage.Expendable));
        Assert.True(q.AboveHighWater);
        Assert.Equal(QueueOffer.DroppedAboveHighWater, Offer(q, PacketTriage.Expendable));
        // New (unknown) flows and mail flows keep the rest of the capacity.
        for (int i = 0; i < 2; i++) Assert.Equal(QueueOffer.Queued, Offer(q, PacketTriage.Unknown));
        for (int i = 0; i < 2; i++) Assert.Equal(QueueOffer.Queued, Offer(q, PacketTriage.Keep));
        Assert.Equal(QueueOffer.DroppedFull, Offer(q, PacketTriage.Keep));
        Assert.Equal(QueueOffer.DroppedAboveHighWater, Offer(q, PacketTriage.Expendable));
        Assert.Equal(8, q.Count);

        // The reader catches up below the mark: expendable flows are queued again.
        for (int i = 0; i < 6; i++) Assert.True(q.TryDequeue(out _));
        Assert.Equal(QueueOffer.Queued, Offer(q, PacketTriage.Expendable));
    }

    [Fact]
    public void HighWater_CountsArenaBytesToo()
    {
        var q = new PacketQueue(packets: 100, bytes: 1000, highWater: 0.5);
        Assert.Equal(QueueOffer.Queued, Offer(q, PacketTriage.Expendable, 600));
        Assert.Equal(QueueOffer.DroppedAboveHighWater, Offer(q, PacketTriage.Expendable, 10));
        Assert.Equal(QueueOffer.Queued, Offer(q, PacketTriage.Unknown, 300));
    }
}
