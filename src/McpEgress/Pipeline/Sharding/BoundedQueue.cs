namespace McpEgress.Pipeline.Sharding;

/// <summary>A blocking FIFO of at most a fixed number of items (ring buffer, one lock). Any threads.</summary>
public sealed class BoundedQueue<T>
{
    private readonly T[] _items;
    private int _head;
    private int _count;
    private int _waiters;

    public BoundedQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _items = new T[capacity];
    }

    public int Count { get { lock (_items) return _count; } }

    /// <summary>Adds an item, waiting while the queue is full.</summary>
    public void Add(T item)
    {
        lock (_items)
        {
            while (_count == _items.Length) Wait();
            _items[(_head + _count) % _items.Length] = item;
            _count++;
            if (_waiters > 0) Monitor.PulseAll(_items);
        }
    }

    /// <summary>Takes the oldest item, waiting while the queue is empty.</summary>
    public T Take()
    {
        lock (_items)
        {
            while (_count == 0) Wait();
            var item = _items[_head];
            _items[_head] = default!;
            _head = (_head + 1) % _items.Length;
            _count--;
            if (_waiters > 0) Monitor.PulseAll(_items);
            return item;
        }
    }

    private void Wait()
    {
        _waiters++;
        try { Monitor.Wait(_items); }
        finally { _waiters--; }
    }
}
