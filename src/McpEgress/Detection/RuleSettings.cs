namespace McpEgress.Detection;

/// <summary>Per-rule switches from the policy. A null severity keeps the rule's default.</summary>
public sealed record RuleSettings(bool Enabled = true, Severity? Severity = null)
{
    public static RuleSettings Default { get; } = new();
}
