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
        ConfigNodeKind.Number => $"the number {Text}",
        ConfigNodeKind.Boolean => $"the boolean {Text}",
        _ => $"the string \"{Text}\"",
    };

    /// <summary>Plain, lossless conversion for free-form sections: mappings to dictionaries, lists to lists, scalars to strings/bools/numbers.</summary>
    public object? ToPlainObject() => Kind switch
    {
        ConfigNodeKind.Null => null,
        ConfigNodeKind.Mapping => Entries!.ToDictionary(e => e.Key, e => e.Value.ToPlainObject(), StringComparer.Ordinal),
        ConfigNodeKind.Sequence => Items!.Select(i => i.ToPlainObject()).ToList(),
        ConfigNodeKind.Boolean => Text == "true",
        ConfigNodeKind.Number when long.TryParse(Text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var l) => l,
        ConfigNodeKind.Number when double.TryParse(Text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
        _ => Text,
    };
}
