namespace McpEgress.Detection;

/// <summary>
/// The strings a rule has already handled for one message (ordinal): the first kept inline, a set made only at the
/// second distinct one, so the usual message (one hidden recipient) allocates nothing.
/// </summary>
internal struct OnceSet
{
    private string? _first;
    private HashSet<string>? _more;

    /// <summary>True the first time <paramref name="value"/> is added.</summary>
    public bool Add(string value)
    {
        if (_first is null)
        {
            _first = value;
            return true;
        }
        if (string.Equals(_first, value, StringComparison.Ordinal)) return false;
        return (_more ??= new HashSet<string>(StringComparer.Ordinal)).Add(value);
    }
}
