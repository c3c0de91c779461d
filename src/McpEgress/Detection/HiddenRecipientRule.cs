using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>
/// Flags a hidden recipient (Bcc field or envelope-only) in a foreign domain: not the sender's domain
/// (<see cref="MailMessage.SenderDomain"/>: From, else MAIL FROM), not a visible recipient's domain (To, Cc,
/// Resent-To, Resent-Cc), and not in the allowed list. "Same domain" means equal or parent/child
/// (<see cref="DomainName.AreRelated"/>): a sender at mail.example.com Bcc'ing archive@example.com is its own
/// organisation. When the sender's domain is unknown, nothing can be "own", so every hidden recipient outside
/// visible and allowed domains raises an alert. Addresses without a domain (local mailboxes) are skipped.
/// This is the postmark-mcp pattern: a silent "Bcc: phan@giftshop.club" on every mail. Known CRM-logging sinks
/// (<see cref="KnownSinks"/>) are not foreign here: they are reported on the message and judged by behaviour-change.
/// </summary>
public sealed class HiddenRecipientRule : IRule
{
    public const string RuleId = "hidden-foreign-domain";
    public const string RuleName = "Hidden recipient in a foreign domain";
    public const Severity DefaultSeverity = Severity.High;

    private readonly DomainPattern[] _allowed;
    private readonly IReadOnlyList<KnownSink> _knownSinks;

    /// <param name="knownSinks">The known sinks (default <see cref="KnownSinks.BuiltIn"/>): recipients cut by a limit in their domains are not foreign.</param>
    public HiddenRecipientRule(IEnumerable<DomainPattern> allowedHiddenDomains, Severity severity = DefaultSeverity, IReadOnlyList<KnownSink>? knownSinks = null)
    {
        _allowed = allowedHiddenDomains.ToArray();
        _knownSinks = knownSinks ?? KnownSinks.BuiltIn;
        Severity = severity;
    }

    public string Id => RuleId;
    public string Name => RuleName;
    public Severity Severity { get; }
    public IReadOnlyList<DomainPattern> AllowedHiddenDomains => _allowed;

    public void Evaluate(MailMessage message, List<Alert> alerts)
    {
        var hidden = message.Hidden;
        if (hidden.Count == 0 && message.CutRecipients.Count == 0) return;

        var domains = HiddenRecipients.Domains(message);
        string sender = domains.Sender;
        List<string>? visible = null;

        for (int i = 0; i < hidden.Count; i++)
        {
            var h = hidden[i];
            string normalized = domains.Hidden(i);
            if (normalized.Length == 0 || h.KnownSink is not null) continue;
            if (!HiddenRecipients.IsForeign(message, normalized, sender, _allowed, _knownSinks, ref visible)) continue;
            string domain = h.Address.Domain;

            string how = h.Reason == HiddenReason.BccField ? "listed only in a Bcc field" : "an envelope recipient no To/Cc header shows";
            // One interpolation, so one string (a concatenation of parts copied the sentence twice).
            string text = sender.Length > 0
                ? $"Hidden recipient {h.Address.Address} ({how}) is in foreign domain {domain}: it is not the sender's domain {domains.SenderDomain}, not a visible recipient's domain, and not allowed."
                : $"Hidden recipient {h.Address.Address} ({how}) is in foreign domain {domain}: it is not the sender's domain, which is unknown, not a visible recipient's domain, and not allowed.";
            alerts.Add(new Alert(RuleId, RuleName, Severity, text, message, h.Address, HiddenRecipients.RoleOf(message, h), domain));
        }

        // Recipients a limit cut from the message: only their domains are known, and any of them may be hidden.
        var cuts = message.CutRecipients;
        for (int i = 0; i < cuts.Count; i++)
        {
            var cut = cuts[i];
            if (!cut.MayBeHidden || !IsForeign(message, cut.Domain, sender, ref visible)) continue;
            string text = $"{cut.Count} recipient(s) that a limit cut from this message (they may be hidden) are in foreign " +
                          $"domain {cut.Domain}: not the sender's, not a visible recipient's, and not allowed.";
            alerts.Add(new Alert(RuleId, RuleName, Severity, text, message, CutAddress(cut.Domain), RecipientRole.Envelope, cut.Domain));
        }
    }

    /// <summary>The address an alert about cut recipients names: only their domain is known.</summary>
    internal static MailAddress CutAddress(string domain) => new("*@" + domain);

    private bool IsForeign(MailMessage message, string domain, string sender, ref List<string>? visible) =>
        HiddenRecipients.IsForeign(message, DomainName.Normalize(domain), sender, _allowed, _knownSinks, ref visible);
}
