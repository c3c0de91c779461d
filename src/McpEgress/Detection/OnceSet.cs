namespace McpEgress.Detection;

/// <summary>
/// The strings a rule has already handled for one message (ordinal unless a comparer is given): the first kept
/// inline, a set made only at the second distinct one, so the usual message (one hidden recipient) allocates nothing.
/// </summary>
internal struct OnceSet(StringComparer? comparer = null)
{
    private string? _first;
    private HashSet<string>? _more;

    /// <summary>True when <paramref name="value"/> was added.</summary>
    public readonly bool Contains(string value) =>
        _first is not null && ((comparer ?? StringComparer.Ordinal).Equals(_first, value) || (_more?.Contains(value) ?? false));

    /// <summary>True the first time <paramref name="value"/> is added.</summary>
    public bool Add(string value)
    {
        if (_first is null)
        {
            _first = value;
            return true;
        }
        var c = comparer ?? StringComparer.Ordinal;
        if (c.Equals(_first, value)) return false;
        return (_more ??= new HashSet<string>(c)).Add(value);
    }
}
