namespace McpEgress.Config;

internal enum ConfigNodeKind
{
    Null,
    Mapping,
    Sequence,
    /// <summary>A quoted string (YAML quoted/block scalar, JSON string).</summary>
    String,
    /// <summary>An unquoted YAML scalar: its type is decided by what the key expects.</summary>
    Plain,
    Number,
    Boolean,
}
