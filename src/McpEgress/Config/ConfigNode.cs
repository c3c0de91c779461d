namespace McpEgress.Detection;

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
    /// Plain conversion for free-form sections: mappings to <c>Dictionary&lt;string, object?&gt;</c>, lists to
    /// <c>List&lt;object?&gt;</c>, booleans to bool, integers to long, other numbers to double, the rest to string.
    /// Unquoted YAML scalars are typed the same way (YAML 1.2 core schema), so YAML and JSON give the same tree.
    /// </summary>
    public object? ToPlainObject() => Kind switch
    {
        ConfigNodeKind.Null => null,
        ConfigNodeKind.Mapping => Entries!.ToDictionary(e => e.Key, e => e.Value.ToPlainObject(), StringComparer.Ordinal),
        ConfigNodeKind.Sequence => Items!.Select(i => i.ToPlainObject()).ToList(),
        ConfigNodeKind.Boolean => Text == "true",
        ConfigNodeKind.Number or ConfigNodeKind.Plain => TypedScalar(Text!),
        _ => Text,
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
