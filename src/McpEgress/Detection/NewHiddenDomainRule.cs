using McpEgress.Detection.Baselines;
using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>
/// Flags the first time this host sends a hidden recipient to a registrable domain, and, when the sender is known
/// (<see cref="SenderIdentity"/>), the first time that sender does. Medium: a new destination is worth a look, not a
/// page; recurrence (<see cref="HiddenSinkRule"/>) and change (<see cref="BehaviourChangeRule"/>) are the pages.
/// Skipped like hidden-sink: own and visible domains, allowed domains, known sinks. One alert per message, listing
/// each new domain once.
/// </summary>
public sealed class NewHiddenDomainRule : IRule
{
    public const string RuleId = "new-hidden-domain";
    public const string RuleName = "Hidden recipient in a domain this host or sender never used";
    public const Severity DefaultSeverity = Severity.Medium;
    public static IReadOnlyList<RuleThreshold> Thresholds { get; } = [];

    private readonly IBaselineStore _store;
    private readonly DomainPattern[] _allowed;
    private readonly IReadOnlyList<KnownSink> _knownSinks;

    public NewHiddenDomainRule(IBaselineStore store, IEnumerable<DomainPattern> allowedHiddenDomains, Severity severity = DefaultSeverity,
        IReadOnlyList<KnownSink>? knownSinks = null)
    {
        _store = store;
        _allowed = allowedHiddenDomains.ToArray();
        _knownSinks = knownSinks ?? KnownSinks.BuiltIn;
        Severity = severity;
    }

    public string Id => RuleId;
    public string Name => RuleName;
    /// <summary>Its per-sender part needs the sender, and host and sender are recorded together: it waits as a whole.</summary>
    public bool NeedsSender => true;
    public Severity Severity { get; }

    public void Evaluate(MailMessage message, List<Alert> alerts)
    {
        var hidden = message.Hidden;
        if (hidden.Count == 0) return;
        var domains = HiddenRecipients.Domains(message);
        string sender = domains.Sender;
        string? who = SenderIdentity.Of(message.Process);
        List<string>? visible = null;
        var seen = new OnceSet();
        for (int i = 0; i < hidden.Count; i++)
        {
            var h = hidden[i];
            if (h.KnownSink is not null) continue;
            string d = domains.Hidden(i);
            if (d.Length == 0 || !HiddenRecipients.IsForeign(message, d, sender, _allowed, _knownSinks, ref visible)) continue;
            string org = RegistrableDomain.Of(d);
            if (org.Length == 0 || !seen.Add(org)) continue;

            var s = _store.RecordHiddenDomain(org, who, message.TimestampNs);
            string text;
            if (s.NewForHost)
                text = $"First hidden recipient from this host to domain {org}: {h.Address.Address}" +
                       (who is null ? "." : $", sent by {who}.");
            else if (s.NewForSender)
                text = $"First hidden recipient from {who} to domain {org}: {h.Address.Address}; this host has sent hidden mail " +
                       $"there {s.HostMessages} time(s) since {SenderIdentity.Time(s.HostFirstSeenNs)}, never from {who}.";
            else continue;
            alerts.Add(new Alert(RuleId, RuleName, Severity, text, message, h.Address, HiddenRecipients.RoleOf(message, h), h.Address.Domain)
            {
                Baseline = new AlertBaseline
                {
                    Subject = org,
                    FirstSeenNs = s.NewForHost ? message.TimestampNs : s.HostFirstSeenNs,
                    Messages = s.HostMessages,
                    Sender = who,
                },
            });
        }
    }
}
