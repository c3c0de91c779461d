namespace McpEgress.Detection.Baselines;

/// <summary>
/// A map that holds at most <c>capacity</c> entries: reading or writing an entry makes it the newest, and adding one
/// past the cap drops the least recently used. Not thread-safe (the store locks).
/// </summary>
internal sealed class BoundedLru<TKey, TValue> where TKey : notnull
{
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> _map;
    private readonly LinkedList<(TKey Key, TValue Value)> _order = new();
    private readonly int _capacity;

    public BoundedLru(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _map = new Dictionary<TKey, LinkedListNode<(TKey, TValue)>>(comparer);
    }

    public int Count => _map.Count;
    public long Evictions { get; private set; }

    /// <summary>The entry for <paramref name="key"/>, made newest; created by <paramref name="create"/> when absent.</summary>
    public TValue GetOrAdd(TKey key, Func<TValue> create, out bool added) =>
        GetOrAdd(key, create, static c => c(), out added);

    /// <summary>As <see cref="GetOrAdd(TKey, Func{TValue}, out bool)"/>, <paramref name="create"/> given <paramref name="state"/> (a static lambda: no closure per call).</summary>
    public TValue GetOrAdd<TState>(TKey key, TState state, Func<TState, TValue> create, out bool added)
    {
        if (_map.TryGetValue(key, out var node))
        {
            _order.Remove(node);
            _order.AddFirst(node);
            added = false;
            return node.Value.Value;
        }
        if (_map.Count >= _capacity && _order.Last is { } oldest)
        {
            _order.RemoveLast();
            _map.Remove(oldest.Value.Key);
            Evictions++;
        }
        var value = create(state);
        _map[key] = _order.AddFirst((key, value));
        added = true;
        return value;
    }

    public bool TryGet(TKey key, out TValue value)
    {
        if (_map.TryGetValue(key, out var node))
        {
            value = node.Value.Value;
            return true;
        }
        value = default!;
        return false;
    }

    public IEnumerable<TValue> Values => _order.Select(n => n.Value);
}
