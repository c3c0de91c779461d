namespace McpEgress.Detection;

/// <summary>
/// The whole McpEgress config file (see <see cref="ConfigLoader"/> for the shape). Only <c>detection</c> is
/// interpreted so far; <c>limits</c> is reserved for the other stages' options and kept as a plain tree
/// (dictionaries, lists, strings, bools, numbers).
/// </summary>
public sealed class McpEgressConfig
{
    public DetectionPolicy Detection { get; init; } = DetectionPolicy.Default;
    public IReadOnlyDictionary<string, object?> Limits { get; init; } = new Dictionary<string, object?>(StringComparer.Ordinal);
    /// <summary>The live daemon's <c>watch</c> section, a plain tree like <see cref="Limits"/> (bound by McpEgress.Daemon).</summary>
    public IReadOnlyDictionary<string, object?> Watch { get; init; } = new Dictionary<string, object?>(StringComparer.Ordinal);
    /// <summary>
    /// Source positions of the keys and list items in the free-form sections (<c>limits</c>, <c>watch</c>), by key path
    /// such as <c>watch.interfaces[0]</c>, so their binders can say where a bad value was written. Line 0 when unknown.
    /// </summary>
    public IReadOnlyDictionary<string, (int Line, int Column)> Positions { get; init; } = new Dictionary<string, (int Line, int Column)>(StringComparer.Ordinal);
    /// <summary>The file it came from; null for the built-in default or parsed text.</summary>
    public string? SourcePath { get; init; }

    /// <summary>The built-in configuration used when no file is given.</summary>
    public static McpEgressConfig Default { get; } = new();
}
