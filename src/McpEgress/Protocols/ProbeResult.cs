namespace McpEgress.Protocols;

/// <summary>A content probe answers three ways (STYLE.md principle 7).</summary>
public enum ProbeResult
{
    Match,
    NeedMore,
    NoMatch,
}
