using McpEgress.Capture;
using McpEgress.Diagnostics;
using McpEgress.Protocols.Routing;
using McpEgress.Protocols.Tls;

namespace McpEgress.Pipeline.Sharding;

/// <summary>
/// The packet side of a pipeline with several workers: the caller's thread is the reader (it numbers packets, picks
/// each one's shard with <see cref="FlowSharder"/> and fills pooled <see cref="PacketBatch"/>es that every
/// <see cref="ShardWorker"/> reads), the shards run decode → reassembly → protocols on their own threads, and one
/// merge thread puts their events back in capture order (<see cref="EmissionMerger"/>) and hands them to the
/// <see cref="IProtocolEventSink"/> (detection and output) — the events, in the order, of one worker.
/// Memory is bounded: <see cref="BatchesPerShard"/> batches per shard in flight (the reader waits for a free one),
/// <see cref="EventsPerShard"/> events queued per shard (a shard waits for the merge).
/// </summary>
public sealed class ShardedPackets : IDisposable
{
    public const int BatchBytes = 512 << 10;
    public const int BatchEntries = 1024;
    public const int BatchesPerShard = 3;
    public const int EventsPerShard = 1024;
    /// <summary>Events the merge thread takes from the merger in one lock (fewer when fewer are releasable).</summary>
    public const int MergeBatch = 256;

    private readonly FlowSharder _sharder;
    private readonly BoundedQueue<PacketBatch> _pool;
    private readonly EmissionMerger _merger;
    private readonly IProtocolEventSink _sink;
    private readonly Thread _mergeThread;
    private readonly Action<Exception> _onSinkError;
    private PacketBatch _batch;
    private long _published;
    private long _last;
    private bool _finished;

    /// <param name="onSinkError">Called on the merge thread when the sink throws (the event is lost, the run goes on).</param>
    public ShardedPackets(int shards, PipelineOptions options, AnomalyCounters anomalies, TlsKeyLog keyLog,
        IProtocolEventSink sink, Action<Exception> onSinkError)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 2);
        _sink = sink;
        _onSinkError = onSinkError;
        _sharder = new FlowSharder(shards, options.Decoder.MaxVlanTags);
        int batches = shards * BatchesPerShard + 1;
        _pool = new BoundedQueue<PacketBatch>(batches);
        for (int i = 0; i < batches; i++) _pool.Add(new PacketBatch(BatchBytes, BatchEntries));
        _merger = new EmissionMerger(shards, EventsPerShard);
        Workers = new ShardWorker[shards];
        for (int i = 0; i < shards; i++)
            Workers[i] = new ShardWorker(i, options, anomalies, keyLog, _merger, _pool, batches);
        _batch = _pool.Take();
        foreach (var w in Workers) w.Start();
        _mergeThread = new Thread(Merge) { IsBackground = true, Name = "mcp-egress merge" };
        _mergeThread.Start();
    }

    public ShardWorker[] Workers { get; }

    /// <summary>Adds packet <paramref name="number"/> to the current batch (sent when full).</summary>
    public void Dispatch(in CapturedPacket packet, long number)
    {
        _last = number;
        int shard = _sharder.ShardOf(packet);
        if (_batch.TryAdd(packet, number, shard)) return;
        Publish();
        _batch.TryAdd(packet, number, shard);
    }

    /// <summary>Time passes without packets: every shard does its idle work at <paramref name="number"/>; sent at once.</summary>
    public void Tick(long nowNs, long number)
    {
        _last = number;
        if (!_batch.TryAddMarker(PacketBatch.EntryKind.Tick, number, nowNs))
        {
            Publish();
            _batch.TryAddMarker(PacketBatch.EntryKind.Tick, number, nowNs);
        }
        Publish();
    }

    /// <summary>Sends the current batch now (a live capture that went quiet should not hold packets back).</summary>
    public void Flush()
    {
        if (!_batch.IsEmpty) Publish();
    }

    /// <summary>
    /// Waits until every shard finished every packet sent so far. The reader calls it before it adds secrets from the
    /// capture (a pcapng Decryption Secrets Block): no packet before the block sees them, every packet after does.
    /// </summary>
    public void Quiesce()
    {
        Flush();
        var spin = new SpinWait();
        foreach (var w in Workers)
            while (w.Done < _published) spin.SpinOnce(sleep1Threshold: 20);
    }

    /// <summary>End of input: every shard closes its flows at <paramref name="number"/>; returns once every event was delivered.</summary>
    public void Finish(long number)
    {
        if (_finished) return;
        _finished = true;
        if (!_batch.TryAddMarker(PacketBatch.EntryKind.Finish, number, 0))
        {
            Publish();
            _batch.TryAddMarker(PacketBatch.EntryKind.Finish, number, 0);
        }
        Publish(next: false);
        foreach (var w in Workers) w.Join();
        _mergeThread.Join();
    }

    private void Publish(bool next = true)
    {
        var batch = _batch;
        _published = batch.LastNumber;
        batch.Share(Workers.Length);
        foreach (var w in Workers) w.Enqueue(batch);
        if (next) _batch = _pool.Take();
    }

    private void Merge()
    {
        var batch = new Emission[MergeBatch];
        int n;
        while ((n = _merger.TakeBatch(batch, Timeout.InfiniteTimeSpan)) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                ref var e = ref batch[i];
                try { e.Deliver!(_sink, e.Payload!); }
                catch (Exception ex) when (ex is not OutOfMemoryException) { _onSinkError(ex); }
                e = default; // the payload is the sink's now
            }
        }
    }

    /// <summary>Ends the threads if <see cref="Finish"/> was not called (an aborted run): what is queued is still delivered.</summary>
    public void Dispose()
    {
        if (!_finished) Finish(_last + 1);
    }
}
