namespace McpEgress.Export.Prometheus;

/// <summary>A tuple of label values used as a dictionary key: ordinal equality, hash computed once.</summary>
internal readonly struct LabelKey : IEquatable<LabelKey>
{
    private readonly int _hash;

    public LabelKey(string[] values)
    {
        Values = values;
        var h = new HashCode();
        foreach (var v in values) h.Add(v, StringComparer.Ordinal);
        _hash = h.ToHashCode();
    }

    public string[] Values { get; }

    public bool Equals(LabelKey other)
    {
        if (_hash != other._hash || Values.Length != other.Values.Length) return false;
        for (int i = 0; i < Values.Length; i++)
            if (!string.Equals(Values[i], other.Values[i], StringComparison.Ordinal)) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is LabelKey k && Equals(k);

    public override int GetHashCode() => _hash;

    /// <summary>Lexicographic ordinal order over the tuple, for deterministic output.</summary>
    public static int Compare(string[] a, string[] b)
    {
        for (int i = 0; i < a.Length && i < b.Length; i++)
        {
            int c = string.CompareOrdinal(a[i], b[i]);
            if (c != 0) return c;
        }
        return a.Length.CompareTo(b.Length);
    }
}
