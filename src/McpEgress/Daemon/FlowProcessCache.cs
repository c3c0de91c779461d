using McpEgress.Attribution;
using McpEgress.Reassembly;

namespace McpEgress.Daemon;

/// <summary>
/// Processes resolved early (by the <see cref="SynTap"/>), keyed by the flow's (client, server) endpoints, for the
/// pipeline thread to pick up when it opens the flow. Bounded: entries expire after a TTL and the oldest is evicted
/// when full. Thread-safe: one writer (the tap) and one reader (the pipeline) hold the lock only for a dictionary
/// operation, never across /proc reads.
/// </summary>
public sealed class FlowProcessCache
{
    private readonly object _gate = new();
    private readonly Dictionary<FlowKey, Entry> _entries = new();
    // Insertion order = expiry order (one TTL for all). A key added again gets a new stamp; its old queue item is
    // then stale and skipped when it reaches the front.
    private readonly Queue<(FlowKey Key, long Stamp)> _order = new();
    private readonly long _ttlMs;
    private readonly int _maxEntries;
    private readonly Func<long> _nowMs;
    private long _nextStamp;

    private readonly record struct Entry(ProcessInfo Info, long Stamp, long ExpiresMs);

    /// <param name="nowMs">Monotonic clock in milliseconds; default <see cref="Environment.TickCount64"/> (tests pass their own).</param>
    public FlowProcessCache(TimeSpan ttl, int maxEntries, Func<long>? nowMs = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        if (ttl <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "must be positive");
        _ttlMs = (long)ttl.TotalMilliseconds;
        _maxEntries = maxEntries;
        _nowMs = nowMs ?? (() => Environment.TickCount64);
    }

    public int Count { get { lock (_gate) return _entries.Count; } }

    /// <summary>Stores (or replaces: a reused 4-tuple belongs to the new connection) the process of a flow.</summary>
    public void Set(FlowKey key, ProcessInfo info)
    {
        long now = _nowMs();
        lock (_gate)
        {
            long stamp = ++_nextStamp;
            _entries[key] = new Entry(info, stamp, now + _ttlMs);
            _order.Enqueue((key, stamp));
            Trim(now);
        }
    }

    /// <summary>Forgets a flow (its new SYN could not be resolved: the old answer belongs to an older connection).</summary>
    public void Remove(FlowKey key)
    {
        lock (_gate) _entries.Remove(key);
    }

    /// <summary>The process stored for this flow and not expired, or null.</summary>
    public ProcessInfo? Get(FlowKey key)
    {
        long now = _nowMs();
        lock (_gate)
            return _entries.TryGetValue(key, out var e) && e.ExpiresMs > now ? e.Info : null;
    }

    private void Trim(long now)
    {
        // Stale queue items (keys replaced or removed) are bounded too: at most one per Set within the TTL, and
        // the queue is cut at twice the entry limit.
        while (_order.Count > 0)
        {
            var (key, stamp) = _order.Peek();
            bool live = _entries.TryGetValue(key, out var e) && e.Stamp == stamp;
            if (live && e.ExpiresMs > now && _entries.Count <= _maxEntries && _order.Count <= 2 * _maxEntries) break;
            _order.Dequeue();
            if (live) _entries.Remove(key);
        }
    }
}
