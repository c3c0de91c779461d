using System.Collections.Concurrent;

namespace McpEgress.Export.Prometheus;

/// <summary>
/// Bounds the values one label can take: the first <see cref="Capacity"/> distinct values are kept as they are, every
/// later new value is folded into <see cref="Other"/>. Reserved values (such as "unknown") always pass and don't use a
/// slot. Known values are looked up without a lock; admitting a new one takes a short lock so the cap is exact.
/// </summary>
public sealed class CappedLabelSet
{
    public const string Other = "other";

    private readonly ConcurrentDictionary<string, string> _admitted = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reserved;
    private readonly object _lock = new();
    private int _count;

    /// <param name="capacity">Distinct values kept before folding into <see cref="Other"/>.</param>
    /// <param name="maxValueLength">Longer values are folded into <see cref="Other"/> without using a slot.</param>
    /// <param name="reserved">Values that always pass and don't count against the cap.</param>
    public CappedLabelSet(int capacity, int maxValueLength = 256, IEnumerable<string>? reserved = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxValueLength, 1);
        Capacity = capacity;
        MaxValueLength = maxValueLength;
        _reserved = new HashSet<string>(reserved ?? [], StringComparer.Ordinal) { Other };
    }

    public int Capacity { get; }
    public int MaxValueLength { get; }

    /// <summary>Distinct values admitted so far (reserved values not counted).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Number of times a value was folded into <see cref="Other"/> because the set was full or the value too long.</summary>
    public long Folded => Interlocked.Read(ref _folded);
    private long _folded;

    /// <summary>The label value to use for <paramref name="value"/>: itself if admitted, else <see cref="Other"/>. Null or empty gives <see cref="Other"/>.</summary>
    public string Map(string? value)
    {
        if (string.IsNullOrEmpty(value)) return Other;
        if (_reserved.Contains(value)) return value;
        if (_admitted.TryGetValue(value, out var kept)) return kept;
        if (value.Length > MaxValueLength) return Fold();
        lock (_lock)
        {
            if (_admitted.TryGetValue(value, out kept)) return kept;
            if (_count >= Capacity) return Fold();
            _admitted[value] = value;
            Volatile.Write(ref _count, _count + 1);
            return value;
        }
    }

    private string Fold()
    {
        Interlocked.Increment(ref _folded);
        return Other;
    }
}
