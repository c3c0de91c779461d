using McpEgress.Diagnostics;
using McpEgress.Protocols.Tls;

namespace McpEgress.Pipeline.Sharding;

/// <summary>
/// One shard on its own thread: its <see cref="PacketStage"/> (decoder, reassembler, protocol router, TLS parking
/// lot, counters) processes the packets the reader assigned to it and lets time pass for the others'; what it emits
/// goes through its <see cref="ShardOutput"/> to the merge.
/// </summary>
public sealed class ShardWorker
{
    /// <summary>Entries of a batch between two watermarks (a power of two).</summary>
    public const int WatermarkEvery = 64;

    private readonly BoundedQueue<PacketBatch> _input;
    private readonly BoundedQueue<PacketBatch> _pool;
    private readonly EmissionMerger _merger;
    private readonly Thread _thread;
    private long _done;

    public ShardWorker(int index, PipelineOptions options, AnomalyCounters anomalies, TlsKeyLog keyLog,
        EmissionMerger merger, BoundedQueue<PacketBatch> pool, int inputCapacity)
    {
        Index = index;
        _merger = merger;
        _pool = pool;
        _input = new BoundedQueue<PacketBatch>(inputCapacity);
        Output = new ShardOutput(index, merger);
        Stage = new PacketStage(options, Output, anomalies, keyLog, new PipelineStats(), Output);
        _thread = new Thread(Run) { IsBackground = true, Name = $"mcp-egress shard {index}" };
    }

    public int Index { get; }
    public PacketStage Stage { get; }
    public ShardOutput Output { get; }

    /// <summary>The number of the last packet or tick this shard finished (for the reader's key-log barrier).</summary>
    public long Done => Volatile.Read(ref _done);

    public void Start() => _thread.Start();

    public void Enqueue(PacketBatch batch) => _input.Add(batch);

    public void Join() => _thread.Join();

    private void Run()
    {
        bool finished = false;
        while (!finished)
        {
            var batch = _input.Take();
            for (int i = 0; i < batch.Count; i++)
            {
                ref readonly var e = ref batch[i];
                switch (e.Kind)
                {
                    case PacketBatch.EntryKind.Packet:
                        if (e.Shard == Index) Stage.Process(batch.Packet(i), e.Number);
                        else Stage.PassTime(e.TimestampNs, e.Number);
                        break;
                    case PacketBatch.EntryKind.Tick:
                        Stage.Tick(e.TimestampNs, e.Number);
                        break;
                    default:
                        Stage.Finish(e.Number);
                        finished = true;
                        break;
                }
                // Progress within the batch too: the merge releases the other shards' events as soon as this one is
                // past them, instead of every shard waiting for the slowest to end the batch (which serialised them).
                if ((i & (WatermarkEvery - 1)) == WatermarkEvery - 1 && !finished && i + 1 < batch.Count)
                    _merger.Watermark(Index, e.Number);
            }
            long last = batch.LastNumber;
            if (finished) _merger.Complete(Index);
            else _merger.Watermark(Index, last);
            Volatile.Write(ref _done, last);
            if (batch.Release()) _pool.Add(batch);
        }
    }
}
