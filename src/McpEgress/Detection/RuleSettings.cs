namespace McpEgress.Detection;

/// <summary>
/// Per-rule switches from the policy. A null severity keeps the rule's default; a threshold not in
/// <see cref="Thresholds"/> keeps its default (<see cref="DetectionEngine.ThresholdsOf"/>).
/// </summary>
public sealed record RuleSettings(bool Enabled = true, Severity? Severity = null)
{
    public static RuleSettings Default { get; } = new();

    /// <summary>Threshold overrides by key (validated against the rule's <see cref="RuleThreshold"/>s).</summary>
    public IReadOnlyDictionary<string, long> Thresholds { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);

    /// <summary>The value of <paramref name="threshold"/>: the override, else its default.</summary>
    public long Get(RuleThreshold threshold) => Thresholds.TryGetValue(threshold.Key, out var v) ? v : threshold.Default;

    public bool Equals(RuleSettings? other) =>
        other is not null && Enabled == other.Enabled && Severity == other.Severity && Thresholds.Count == other.Thresholds.Count &&
        Thresholds.All(t => other.Thresholds.TryGetValue(t.Key, out var v) && v == t.Value);

    public override int GetHashCode() => HashCode.Combine(Enabled, Severity, Thresholds.Count);
}
