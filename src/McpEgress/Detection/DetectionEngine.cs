using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>
/// Runs the enabled rules of a <see cref="DetectionPolicy"/> over each message. Thread-safe: rules hold only the
/// validated policy.
/// </summary>
public sealed class DetectionEngine
{
    public static IReadOnlyList<string> KnownRuleIds { get; } = [DeniedDomainRule.RuleId, HiddenRecipientRule.RuleId, LimitExceededRule.RuleId];

    private readonly IRule[] _rules;

    /// <exception cref="ArgumentException">A domain entry is invalid or a rule id is unknown.</exception>
    public DetectionEngine(DetectionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        foreach (var id in policy.Rules.Keys)
            if (!KnownRuleIds.Contains(id))
                throw new ArgumentException($"unknown rule id \"{id}\" (known: {string.Join(", ", KnownRuleIds)})", nameof(policy));

        var rules = new List<IRule>();
        var denied = policy.SettingsFor(DeniedDomainRule.RuleId);
        if (denied.Enabled)
            rules.Add(new DeniedDomainRule(policy.DeniedDomains.Select(DomainPattern.Parse), denied.Severity ?? DeniedDomainRule.DefaultSeverity));
        var hidden = policy.SettingsFor(HiddenRecipientRule.RuleId);
        if (hidden.Enabled)
            rules.Add(new HiddenRecipientRule(policy.AllowedHiddenDomains.Select(DomainPattern.Parse), hidden.Severity ?? HiddenRecipientRule.DefaultSeverity));
        var limit = policy.SettingsFor(LimitExceededRule.RuleId);
        if (limit.Enabled) rules.Add(new LimitExceededRule(limit.Severity ?? LimitExceededRule.DefaultSeverity));
        _rules = rules.ToArray();
        Policy = policy;
    }

    public DetectionPolicy Policy { get; }
    public IReadOnlyList<IRule> Rules => _rules;

    /// <summary>Alerts for one message, in rule order then address order; empty when nothing is wrong.</summary>
    public IReadOnlyList<Alert> Evaluate(MailMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var alerts = new List<Alert>();
        foreach (var rule in _rules) rule.Evaluate(message, alerts);
        return alerts.Count > 0 ? alerts : [];
    }
}
