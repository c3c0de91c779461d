using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>
/// Runs the enabled rules of a <see cref="DetectionPolicy"/> over each message. Thread-safe: rules hold only the
/// validated policy.
/// </summary>
public sealed class DetectionEngine
{
    public static IReadOnlyList<string> KnownRuleIds { get; } = [DeniedDomainRule.RuleId, HiddenRecipientRule.RuleId, LimitExceededRule.RuleId, McpServerAdvisoryRule.RuleId];

    /// <summary>The severity of a known rule's alerts when the policy sets none (<see cref="RuleSettings.Severity"/> null).</summary>
    public static Severity DefaultSeverity(string ruleId) => ruleId switch
    {
        DeniedDomainRule.RuleId => DeniedDomainRule.DefaultSeverity,
        HiddenRecipientRule.RuleId => HiddenRecipientRule.DefaultSeverity,
        LimitExceededRule.RuleId => LimitExceededRule.DefaultSeverity,
        McpServerAdvisoryRule.RuleId => McpServerAdvisoryRule.DefaultSeverity,
        _ => throw new ArgumentException($"unknown rule id \"{ruleId}\"", nameof(ruleId)),
    };

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
            rules.Add(new DeniedDomainRule(policy.DeniedDomains.Select(DomainPattern.Parse), denied.Severity ?? DefaultSeverity(DeniedDomainRule.RuleId)));
        var hidden = policy.SettingsFor(HiddenRecipientRule.RuleId);
        if (hidden.Enabled)
            rules.Add(new HiddenRecipientRule(policy.AllowedHiddenDomains.Select(DomainPattern.Parse), hidden.Severity ?? DefaultSeverity(HiddenRecipientRule.RuleId)));
        var limit = policy.SettingsFor(LimitExceededRule.RuleId);
        if (limit.Enabled) rules.Add(new LimitExceededRule(limit.Severity ?? DefaultSeverity(LimitExceededRule.RuleId)));
        _rules = rules.ToArray();
        var advisory = policy.SettingsFor(McpServerAdvisoryRule.RuleId);
        if (advisory.Enabled) McpServerAdvisory = new McpServerAdvisoryRule(advisory.Severity ?? McpServerAdvisoryRule.DefaultSeverity);
        Policy = policy;
    }

    /// <summary>The rule over the host's MCP server inventory (not a message rule); null when disabled.</summary>
    public McpServerAdvisoryRule? McpServerAdvisory { get; }

    public DetectionPolicy Policy { get; }
    public IReadOnlyList<IRule> Rules => _rules;

    /// <summary>Addresses listed in one alert (default 1,000); the alert still counts all of them (<see cref="Alert.MatchCount"/>).</summary>
    public int MaxMatchesPerAlert { get; init; } = 1000;

    /// <summary>
    /// Alerts for one message: at most one per rule, in rule order, each listing the addresses its rule matched in the
    /// order found; empty when nothing is wrong.
    /// </summary>
    public IReadOnlyList<Alert> Evaluate(MailMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        List<Alert>? result = null;
        var found = t_found ??= new List<Alert>();
        foreach (var rule in _rules)
        {
            found.Clear();
            rule.Evaluate(message, found);
            if (found.Count > 0) (result ??= []).Add(found.Count == 1 ? found[0] : Group(found));
        }
        found.Clear();
        return result ?? (IReadOnlyList<Alert>)[];
    }

    // One scratch list per thread: rules append to it, the engine groups what they found.
    [ThreadStatic] private static List<Alert>? t_found;

    /// <summary>One rule's findings about one message as one alert: the first finding leads, the rest are listed.</summary>
    private Alert Group(List<Alert> found)
    {
        var first = found[0];
        var matches = new List<AlertMatch>(Math.Min(found.Count, MaxMatchesPerAlert));
        foreach (var f in found)
        {
            if (matches.Count >= MaxMatchesPerAlert) break;
            if (f.Role != RecipientRole.None) matches.Add(new AlertMatch(f.Address, f.Role, f.Domain, f.Message));
        }
        string text = found.Count == 1 ? first.Message
            : $"{found.Count} recipients: {first.Message} Also: " +
              string.Join(", ", found.Skip(1).Take(9).Select(f => f.Address.Address)) + (found.Count > 10 ? $" and {found.Count - 10} more." : ".");
        return new Alert(first.RuleId, first.RuleName, first.Severity, text, first.Mail, first.Address, first.Role, first.Domain)
        {
            Matches = matches,
            MatchCount = first.Role == RecipientRole.None ? 0 : found.Count,
        };
    }
}
