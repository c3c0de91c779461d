using McpEgress.Detection.Baselines;
using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>
/// Runs the enabled rules of a <see cref="DetectionPolicy"/> over each message. Thread-safe: rules hold the validated
/// policy, and the baseline rules (hidden-sink, new-hidden-domain, behaviour-change) a thread-safe
/// <see cref="IBaselineStore"/>. Messages are expected in capture-time order. Before the rules run, hidden recipients
/// at known sinks (<see cref="KnownSinks"/>) are marked with their vendor.
/// </summary>
public sealed class DetectionEngine
{
    public static IReadOnlyList<string> KnownRuleIds { get; } =
    [
        DeniedDomainRule.RuleId, HiddenRecipientRule.RuleId, LimitExceededRule.RuleId,
        HiddenSinkRule.RuleId, NewHiddenDomainRule.RuleId, BehaviourChangeRule.RuleId, McpServerAdvisoryRule.RuleId,
    ];

    /// <summary>The numeric settings a known rule accepts under <c>detection.rules.&lt;id&gt;</c> (empty for most).</summary>
    public static IReadOnlyList<RuleThreshold> ThresholdsOf(string ruleId) => ruleId switch
    {
        HiddenSinkRule.RuleId => HiddenSinkRule.Thresholds,
        NewHiddenDomainRule.RuleId => NewHiddenDomainRule.Thresholds,
        BehaviourChangeRule.RuleId => BehaviourChangeRule.Thresholds,
        _ => [],
    };

    /// <summary>The severity of a known rule's alerts when the policy sets none (<see cref="RuleSettings.Severity"/> null).</summary>
    public static Severity DefaultSeverity(string ruleId) => ruleId switch
    {
        DeniedDomainRule.RuleId => DeniedDomainRule.DefaultSeverity,
        HiddenRecipientRule.RuleId => HiddenRecipientRule.DefaultSeverity,
        LimitExceededRule.RuleId => LimitExceededRule.DefaultSeverity,
        HiddenSinkRule.RuleId => HiddenSinkRule.DefaultSeverity,
        NewHiddenDomainRule.RuleId => NewHiddenDomainRule.DefaultSeverity,
        BehaviourChangeRule.RuleId => BehaviourChangeRule.DefaultSeverity,
        McpServerAdvisoryRule.RuleId => McpServerAdvisoryRule.DefaultSeverity,
        _ => throw new ArgumentException($"unknown rule id \"{ruleId}\"", nameof(ruleId)),
    };

    private readonly IRule[] _rules;

    /// <param name="policy">The rules and their settings.</param>
    /// <param name="baselines">
    /// What the baseline rules remember; a new bounded in-memory store when null. Pass the previous engine's
    /// <see cref="Baselines"/> on a config reload so that a reload does not forget.
    /// </param>
    /// <exception cref="ArgumentException">A domain entry is invalid or a rule id is unknown.</exception>
    public DetectionEngine(DetectionPolicy policy, IBaselineStore? baselines = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        foreach (var id in policy.Rules.Keys)
            if (!KnownRuleIds.Contains(id))
                throw new ArgumentException($"unknown rule id \"{id}\" (known: {string.Join(", ", KnownRuleIds)})", nameof(policy));

        KnownSinkList = KnownSinks.Effective(policy);
        var rules = new List<IRule>();
        var denied = policy.SettingsFor(DeniedDomainRule.RuleId);
        if (denied.Enabled)
            rules.Add(new DeniedDomainRule(policy.DeniedDomains.Select(DomainPattern.Parse), denied.Severity ?? DefaultSeverity(DeniedDomainRule.RuleId)));
        var hidden = policy.SettingsFor(HiddenRecipientRule.RuleId);
        if (hidden.Enabled)
            rules.Add(new HiddenRecipientRule(policy.AllowedHiddenDomains.Select(DomainPattern.Parse), hidden.Severity ?? DefaultSeverity(HiddenRecipientRule.RuleId), KnownSinkList));
        var limit = policy.SettingsFor(LimitExceededRule.RuleId);
        if (limit.Enabled) rules.Add(new LimitExceededRule(limit.Severity ?? DefaultSeverity(LimitExceededRule.RuleId)));

        Baselines = baselines ?? new InMemoryBaselineStore();
        var allowed = policy.AllowedHiddenDomains.Select(DomainPattern.Parse).ToArray();
        var sink = policy.SettingsFor(HiddenSinkRule.RuleId);
        if (sink.Enabled) rules.Add(new HiddenSinkRule(Baselines, allowed, sink, sink.Severity ?? HiddenSinkRule.DefaultSeverity, KnownSinkList));
        var fresh = policy.SettingsFor(NewHiddenDomainRule.RuleId);
        if (fresh.Enabled) rules.Add(new NewHiddenDomainRule(Baselines, allowed, fresh.Severity ?? NewHiddenDomainRule.DefaultSeverity, KnownSinkList));
        var change = policy.SettingsFor(BehaviourChangeRule.RuleId);
        if (change.Enabled) rules.Add(new BehaviourChangeRule(Baselines, change, change.Severity ?? BehaviourChangeRule.DefaultSeverity));
        _rules = rules.ToArray();
        HasSenderRules = _rules.Any(r => r.NeedsSender);
        var advisory = policy.SettingsFor(McpServerAdvisoryRule.RuleId);
        if (advisory.Enabled) McpServerAdvisory = new McpServerAdvisoryRule(advisory.Severity ?? McpServerAdvisoryRule.DefaultSeverity);
        Policy = policy;
    }

    /// <summary>The rule over the host's MCP server inventory (not a message rule); null when disabled.</summary>
    public McpServerAdvisoryRule? McpServerAdvisory { get; }

    public DetectionPolicy Policy { get; }

    /// <summary>The known sinks in force: the built-in list with the policy's changes (<see cref="KnownSinks.Effective"/>).</summary>
    public IReadOnlyList<KnownSink> KnownSinkList { get; }

    /// <summary>What the baseline rules remember (shared with the next engine on a reload).</summary>
    public IBaselineStore Baselines { get; }
    public IReadOnlyList<IRule> Rules => _rules;

    /// <summary>Some enabled rule needs the sender (<see cref="IRule.NeedsSender"/>).</summary>
    public bool HasSenderRules { get; }

    /// <summary>Addresses listed in one alert (default 1,000); the alert still counts all of them (<see cref="Alert.MatchCount"/>).</summary>
    public int MaxMatchesPerAlert { get; init; } = 1000;

    /// <summary>
    /// Alerts for one message: at most one per rule, in rule order, each listing the addresses its rule matched in the
    /// order found; empty when nothing is wrong.
    /// </summary>
    public IReadOnlyList<Alert> Evaluate(MailMessage message) => Evaluate(message, RuleSelection.All);

    /// <summary>
    /// As <see cref="Evaluate(MailMessage)"/> with only some of the rules: those that don't need the sender, or those
    /// that do (run once it is known). The two calls together give what one call with <see cref="RuleSelection.All"/> does.
    /// </summary>
    public IReadOnlyList<Alert> Evaluate(MailMessage message, RuleSelection rules)
    {
        ArgumentNullException.ThrowIfNull(message);
        MarkKnownSinks(message);
        List<Alert>? result = null;
        var found = t_found ??= new List<Alert>();
        foreach (var rule in _rules)
        {
            if (rules != RuleSelection.All && rule.NeedsSender != (rules == RuleSelection.NeedingSender)) continue;
            found.Clear();
            rule.Evaluate(message, found);
            if (found.Count > 0) (result ??= []).Add(found.Count == 1 ? found[0] : Group(found));
        }
        found.Clear();
        return result ?? (IReadOnlyList<Alert>)[];
    }

    /// <summary>Sets <see cref="HiddenRecipient.KnownSink"/> on hidden recipients at known sinks (the list is replaced, never edited).</summary>
    internal void MarkKnownSinks(MailMessage message)
    {
        var hidden = message.Hidden;
        HiddenRecipient[]? marked = null;
        for (int i = 0; i < hidden.Count; i++)
        {
            if (hidden[i].KnownSink is not null || KnownSinks.MatchAddress(KnownSinkList, hidden[i].Address) is not { } vendor) continue;
            marked ??= hidden.ToArray();
            marked[i] = marked[i] with { KnownSink = vendor };
        }
        if (marked is not null) message.Hidden = marked;
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
            Baseline = first.Baseline,
        };
    }
}
