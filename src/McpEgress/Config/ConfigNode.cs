namespace McpEgress.Config;

/// <summary>
/// A format-neutral config tree with source positions (1-based; 0 when unknown), built from YAML or JSON so
/// one validator reports both with the same messages.
/// </summary>
internal sealed class ConfigNode
{
    public ConfigNodeKind Kind { get; init; }
    public int Line { get; init; }
    public int Column { get; init; }
    /// <summary>Scalar text (for Boolean: "true"/"false"; for Number: as written).</summary>
    public string? Text { get; init; }
    public List<ConfigEntry>? Entries { get; init; }
    public List<ConfigNode>? Items { get; init; }

    /// <summary>"a mapping", "a list", ... for "expected X, got Y" messages.</summary>
    public string Describe() => Kind switch
    {
        ConfigNodeKind.Null => "null",
        ConfigNodeKind.Mapping => "a mapping",
        ConfigNodeKind.Sequence => "a list",
        ConfigNodeKind.Number => $"the number {ConfigReadLimits.Quote(Text)}",
        ConfigNodeKind.Boolean => $"the boolean {Text}",
        _ => $"the string \"{ConfigReadLimits.Quote(Text)}\"",
    };

    /// <summary>
    /// The value of a scalar typed the way JSON types its tokens and YAML 1.2's core schema types an unquoted scalar:
    /// bool, long (integers), double (other finite numbers), else string; quoted scalars stay strings. Null for null,
    /// mappings and lists.
    /// </summary>
    public object? Scalar() => Kind switch
    {
        ConfigNodeKind.Boolean => Text == "true",
        ConfigNodeKind.Number or ConfigNodeKind.Plain => TypedScalar(Text!),
        ConfigNodeKind.String => Text,
        _ => null,
    };

    /// <summary>
    /// Like <see cref="Describe"/> with scalars typed as <see cref="Scalar"/> types them ("the number 7", "true",
    /// "the string \"x\""), for sections whose keys take numbers and booleans written either way.
    /// </summary>
    public string DescribeValue() => Kind switch
    {
        ConfigNodeKind.Null => "null",
        ConfigNodeKind.Mapping => "a mapping",
        ConfigNodeKind.Sequence => "a list",
        _ => Scalar() switch
        {
            string s => $"the string \"{ConfigReadLimits.Quote(s)}\"",
            bool b => b ? "true" : "false",
            var v => "the number " + Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
        },
    };

    private static object TypedScalar(string text)
    {
        if (text is "true" or "True" or "TRUE") return true;
        if (text is "false" or "False" or "FALSE") return false;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, inv, out var l)) return l;
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, inv, out var d) && double.IsFinite(d)) return d;
        return text;
    }
}
