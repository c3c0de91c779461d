namespace McpEgress.Detection;

/// <summary>Which rules of a <see cref="DetectionEngine"/> to run (<see cref="IRule.NeedsSender"/>).</summary>
public enum RuleSelection
{
    All,
    /// <summary>The rules that judge a message without its sender.</summary>
    WithoutSender,
    /// <summary>The rules that need the sending process.</summary>
    NeedingSender,
}
