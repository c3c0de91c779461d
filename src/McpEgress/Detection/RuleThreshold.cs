namespace McpEgress.Detection;

/// <summary>A numeric setting of a rule (<c>detection.rules.&lt;id&gt;.&lt;key&gt;</c>): its default and the accepted range.</summary>
public sealed record RuleThreshold(string Key, long Default, long Min, long Max, string Meaning);
