namespace McpEgress.Reassembly;

/// <summary>
/// The reassembler's table of tracked connections, found by their two endpoints in either order. Chained through the
/// flow states themselves (<see cref="FlowState.NextInBucket"/>), so a tracked flow costs one bucket slot (8 bytes)
/// rather than a dictionary entry holding another copy of its key (64 bytes, plus a large-object array that a
/// flood of flows grows and throws away).
/// </summary>
internal sealed class FlowTable
{
    private FlowState?[] _buckets = new FlowState?[16];

    public int Count { get; private set; }

    public bool TryGetValue(in ConnectionKey key, out FlowState state)
    {
        int hash = key.GetHashCode();
        for (var s = _buckets[hash & (_buckets.Length - 1)]; s is not null; s = s.NextInBucket)
        {
            if (s.KeyHash == hash && s.Key.Equals(key))
            {
                state = s;
                return true;
            }
        }
        state = null!;
        return false;
    }

    /// <summary>Adds a state whose key is not in the table yet.</summary>
    public void Add(FlowState state)
    {
        if (Count >= _buckets.Length) Grow();
        state.KeyHash = state.Key.GetHashCode();
        ref var head = ref _buckets[state.KeyHash & (_buckets.Length - 1)];
        state.NextInBucket = head;
        head = state;
        Count++;
    }

    public bool Remove(FlowState state)
    {
        ref var link = ref _buckets[state.KeyHash & (_buckets.Length - 1)];
        while (link is not null)
        {
            if (ReferenceEquals(link, state))
            {
                link = state.NextInBucket;
                state.NextInBucket = null;
                Count--;
                return true;
            }
            link = ref link.NextInBucket;
        }
        return false;
    }

    /// <summary>Doubles the buckets (the load stays at most one state per bucket).</summary>
    private void Grow()
    {
        var grown = new FlowState?[_buckets.Length * 2];
        foreach (var chain in _buckets)
        {
            for (var s = chain; s is not null;)
            {
                var next = s.NextInBucket;
                ref var head = ref grown[s.KeyHash & (grown.Length - 1)];
                s.NextInBucket = head;
                head = s;
                s = next;
            }
        }
        _buckets = grown;
    }
}
