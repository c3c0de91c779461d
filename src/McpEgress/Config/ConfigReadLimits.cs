namespace McpEgress.Config;

/// <summary>
/// Limits on reading a config file, enforced before any tree is built, so a hostile file (an alias bomb, nesting
/// 100 000 levels deep, <c>/dev/zero</c>, a 100 MB scalar) is a one-line config error, never a crash. Real configs
/// are a few KiB, a few levels deep and use no or few aliases; the defaults are far above that and far below harm.
/// </summary>
public sealed class ConfigReadLimits
{
    public static ConfigReadLimits Default { get; } = new();

    /// <summary>Largest config file read (bytes); a larger file or an endless stream is an error. Default 4 MiB.</summary>
    public long MaxFileBytes { get; init; } = 4 << 20;

    /// <summary>Deepest nesting of mappings and lists (YAML and JSON). Default 64.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Most YAML alias uses (<c>*name</c>) in a file. Default 1000.</summary>
    public int MaxAliases { get; init; } = 1000;

    /// <summary>
    /// Most nodes (scalars, mappings, lists) in the tree once every alias is expanded — what a billion-laughs file
    /// grows. Default 100 000.
    /// </summary>
    public int MaxNodes { get; init; } = 100_000;

    /// <summary>Longest value quoted in an error message; longer ones are cut and end in "…". Default 80.</summary>
    public const int MaxQuotedChars = 80;

    /// <summary>
    /// A value as an error message shows it: control characters escaped (a message stays one line) and cut after
    /// <see cref="MaxQuotedChars"/> characters with "…" and the full length.
    /// </summary>
    public static string Quote(string? value) => Cut(value, MaxQuotedChars);

    /// <summary>Like <see cref="Quote"/> with another length, e.g. for a whole key path or problem text.</summary>
    public static string Cut(string? value, int maxChars)
    {
        value ??= "";
        if (value.Length <= maxChars && !value.AsSpan().ContainsAnyInRange('\0', '\u001f') && !value.Contains('\u007f')) return value;
        var span = value.AsSpan(0, Math.Min(value.Length, maxChars));
        var sb = new System.Text.StringBuilder(span.Length + 16);
        foreach (char c in span)
        {
            if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else if (char.IsControl(c)) sb.Append($"\\u{(int)c:x4}");
            else sb.Append(c);
        }
        if (value.Length > maxChars) sb.Append($"… ({value.Length} chars)");
        return sb.ToString();
    }
}
