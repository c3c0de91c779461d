namespace McpEgress.Pipeline.Sharding;

/// <summary>
/// K-way merge of the shards' events back into one stream in <see cref="EmitTag"/> order (ties: lower shard first,
/// then each shard's own order). Each shard has a bounded queue (a full one makes the shard wait); a shard's events
/// are in non-decreasing tag order, and after each batch it queues a watermark: every packet up to that number is done.
/// An event is released once it is the smallest queued one and every shard with nothing queued has passed its
/// packet number, so no shard can still emit something that sorts before it.
/// <para>Thread-safe: shards call <see cref="Emit"/>/<see cref="Watermark"/>/<see cref="Complete"/>, one consumer
/// calls <see cref="TakeBatch"/> (or <see cref="TryTake"/>). One lock, taken once per event by a shard and once per
/// batch by the consumer. Each side wakes the other only when it waits: a shard wakes a waiting consumer with each
/// event (an event never waits for a batch to fill), the consumer wakes waiting shards once per batch it took.</para>
/// </summary>
public sealed class EmissionMerger
{
    private readonly object _gate = new();
    private readonly Emission[][] _queues;
    private readonly int[] _head;
    private readonly int[] _count;
    private readonly long[] _watermark;
    private readonly bool[] _complete;
    private bool _consumerWaits;
    private int _producersWaiting;

    public EmissionMerger(int shards, int capacityPerShard)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityPerShard, 2);
        _queues = new Emission[shards][];
        for (int i = 0; i < shards; i++) _queues[i] = new Emission[capacityPerShard];
        _head = new int[shards];
        _count = new int[shards];
        _watermark = new long[shards];
        _complete = new bool[shards];
    }

    public int Shards => _queues.Length;

    /// <summary>Events (and watermarks) queued by <paramref name="shard"/>, at most the capacity.</summary>
    public int Queued(int shard) { lock (_gate) return _count[shard]; }

    /// <summary>Queues an event of <paramref name="shard"/>; waits while its queue is full.</summary>
    public void Emit(int shard, in Emission emission)
    {
        lock (_gate)
        {
            var q = _queues[shard];
            while (_count[shard] == q.Length)
            {
                _producersWaiting++;
                try { Monitor.Wait(_gate); }
                finally { _producersWaiting--; }
            }
            int tail = _head[shard] + _count[shard];
            if (tail >= q.Length) tail -= q.Length;
            q[tail] = emission;
            _count[shard]++;
            if (_consumerWaits) Monitor.PulseAll(_gate);
        }
    }

    /// <summary><paramref name="shard"/> finished every packet and tick up to <paramref name="number"/>.</summary>
    public void Watermark(int shard, long number) => Emit(shard, Emission.Watermark(number));

    /// <summary><paramref name="shard"/> emits nothing more.</summary>
    public void Complete(int shard) => Watermark(shard, long.MaxValue >> 4);

    /// <summary>
    /// The next event in merged order. Waits up to <paramref name="timeout"/> (infinite: -1 ms) for one to be
    /// releasable; false on timeout, or when every shard completed and everything was taken (<see cref="Drained"/>).
    /// </summary>
    public bool TryTake(out Emission emission, TimeSpan timeout)
    {
        emission = default;
        return TakeBatch(System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref emission, 1), timeout) == 1;
    }

    /// <summary>
    /// The next events in merged order, as many as are releasable now (at most <paramref name="into"/>'s length), in
    /// one lock. Waits up to <paramref name="timeout"/> (infinite: -1 ms) for at least one; 0 on timeout, or when every
    /// shard completed and everything was taken (<see cref="Drained"/>). The caller clears the slots it handed on.
    /// </summary>
    public int TakeBatch(Span<Emission> into, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfZero(into.Length);
        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_gate)
        {
            int taken = 0;
            bool freed = false;
            while (true)
            {
                int best = NextReleasable(ref freed, out bool none);
                if (best >= 0)
                {
                    into[taken++] = Dequeue(best);
                    freed = true;
                    if (taken < into.Length) continue;
                }
                // Shards that wait for room are woken once per batch, not once per event.
                if (freed && _producersWaiting > 0) Monitor.PulseAll(_gate);
                freed = false;
                if (taken > 0) return taken;
                if (none && Drained) return 0;
                long left = deadline - Environment.TickCount64;
                if (left <= 0) return 0;
                _consumerWaits = true;
                try { Monitor.Wait(_gate, deadline == long.MaxValue ? Timeout.Infinite : (int)Math.Min(left, int.MaxValue)); }
                finally { _consumerWaits = false; }
            }
        }
    }

    /// <summary>
    /// The shard whose head is the smallest queued event if it can be released now, else -1 (<paramref name="none"/>:
    /// nothing is queued). Absorbs the watermarks at the heads on the way (<paramref name="freed"/>: room was made).
    /// </summary>
    private int NextReleasable(ref bool freed, out bool none)
    {
        int best = -1;
        for (int s = 0; s < _queues.Length; s++)
        {
            if (AbsorbWatermarks(s)) freed = true;
            if (_count[s] == 0) continue;
            if (best < 0 || Head(s).Tag.CompareTo(Head(best).Tag) < 0) best = s;
        }
        none = best < 0;
        return best >= 0 && Releasable(best) ? best : -1;
    }

    /// <summary>Every shard completed and nothing is queued.</summary>
    public bool Drained
    {
        get
        {
            lock (_gate)
            {
                for (int s = 0; s < _queues.Length; s++)
                    if (!_complete[s] || _count[s] > 0) return false;
                return true;
            }
        }
    }

    private bool Releasable(int best)
    {
        long number = Head(best).Tag.Number;
        for (int s = 0; s < _queues.Length; s++)
            if (s != best && _count[s] == 0 && _watermark[s] < number) return false;
        return true;
    }

    private bool AbsorbWatermarks(int s)
    {
        bool any = false;
        while (_count[s] > 0 && Head(s).IsWatermark)
        {
            long n = Dequeue(s).Tag.Number;
            if (n > _watermark[s]) _watermark[s] = n;
            if (n == long.MaxValue >> 4) _complete[s] = true;
            any = true;
        }
        return any;
    }

    private ref Emission Head(int s) => ref _queues[s][_head[s]];

    private Emission Dequeue(int s)
    {
        var q = _queues[s];
        var e = q[_head[s]];
        q[_head[s]] = default; // the payload is the consumer's now
        if (++_head[s] == q.Length) _head[s] = 0;
        _count[s]--;
        return e;
    }
}
