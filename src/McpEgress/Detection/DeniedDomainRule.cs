using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>
/// Flags every recipient whose domain equals or is a subdomain of a denied domain, in any role: To, Cc, Bcc,
/// Resent-To/Cc/Bcc, SMTP RCPT TO (accepted or not: an attempt to mail a denied domain is the finding),
/// API envelope lists, hidden recipients — and Reply-To, because a planted Reply-To steers the answers to the
/// attacker just as a Bcc steers the mail. From/Sender are not checked: they say who sends, not where mail goes.
/// One alert per offending address, in the first role it is found in (visible before hidden before Reply-To).
/// </summary>
public sealed class DeniedDomainRule : IRule
{
    public const string RuleId = "denied-domain";
    public const string RuleName = "Recipient in a denied domain";
    public const Severity DefaultSeverity = Severity.Critical;

    private readonly DomainPattern[] _denied;

    public DeniedDomainRule(IEnumerable<DomainPattern> deniedDomains, Severity severity = DefaultSeverity)
    {
        _denied = deniedDomains.ToArray();
        Severity = severity;
    }

    public string Id => RuleId;
    public string Name => RuleName;
    public Severity Severity { get; }
    public IReadOnlyList<DomainPattern> DeniedDomains => _denied;

    public void Evaluate(MailMessage message, List<Alert> alerts)
    {
        if (_denied.Length == 0) return;
        var seen = new HashSet<string>(MailAddress.AddressComparer);

        CheckAll(message, message.To, RecipientRole.To, seen, alerts);
        CheckAll(message, message.Cc, RecipientRole.Cc, seen, alerts);
        CheckAll(message, message.ResentTo, RecipientRole.ResentTo, seen, alerts);
        CheckAll(message, message.ResentCc, RecipientRole.ResentCc, seen, alerts);
        CheckAll(message, message.Bcc, RecipientRole.Bcc, seen, alerts);
        CheckAll(message, message.ResentBcc, RecipientRole.ResentBcc, seen, alerts);
        if (message.Envelope is { } env)
            foreach (var r in env.RcptTo)
                Check(message, new MailAddress(r.Address), RecipientRole.Envelope, seen, alerts, r.Accepted ? null : r.ReplyCode);
        CheckAll(message, message.ApiEnvelope, RecipientRole.Envelope, seen, alerts);
        foreach (var h in message.Hidden)
            Check(message, h.Address, HiddenRecipients.RoleOf(message, h), seen, alerts, null);
        CheckAll(message, message.ReplyTo, RecipientRole.ReplyTo, seen, alerts);

        // Recipients a limit cut from the message: their domains are still known, and still judged.
        foreach (var cut in message.CutRecipients)
        {
            if (DeniedEntry(cut.Domain) is not { } entry) continue;
            string text = $"{cut.Count} recipient(s) that a limit cut from this message are in denied domain {cut.Domain}{entry}.";
            alerts.Add(new Alert(RuleId, RuleName, Severity, text, message, HiddenRecipientRule.CutAddress(cut.Domain),
                cut.MayBeHidden ? RecipientRole.Envelope : RecipientRole.To, cut.Domain));
        }
    }

    /// <summary>
    /// Null when <paramref name="domain"/> is not denied; else the text naming the policy entry that matched ("" when
    /// the entry is the domain itself).
    /// </summary>
    private string? DeniedEntry(string domain)
    {
        string normalized = DomainName.Normalize(domain);
        foreach (var p in _denied)
            if (p.Matches(normalized))
                return string.Equals(p.Text, domain, StringComparison.OrdinalIgnoreCase) ? "" : $" (policy entry {p.Text})";
        return null;
    }

    private void CheckAll(MailMessage message, IReadOnlyList<MailAddress> list, RecipientRole role, HashSet<string> seen, List<Alert> alerts)
    {
        foreach (var a in list) Check(message, a, role, seen, alerts, null);
    }

    private void Check(MailMessage message, MailAddress address, RecipientRole role, HashSet<string> seen, List<Alert> alerts, int? rejectedWith)
    {
        string domain = address.Domain;
        if (domain.Length == 0 || seen.Contains(address.Address)) return;
        if (DeniedEntry(domain) is not { } entry) return;
        seen.Add(address.Address);
        string rejected = rejectedWith is { } code ? $"; the server rejected it with {code}" : "";
        string text = role == RecipientRole.ReplyTo
            ? $"Reply-To address {address.Address} is in denied domain {domain}{entry}{rejected}."
            : $"Recipient {address.Address} ({Describe(role)}) is in denied domain {domain}{entry}{rejected}.";
        alerts.Add(new Alert(RuleId, RuleName, Severity, text, message, address, role, domain));
    }

    internal static string Describe(RecipientRole role) => role switch
    {
        RecipientRole.To => "To",
        RecipientRole.Cc => "Cc",
        RecipientRole.Bcc => "Bcc",
        RecipientRole.ResentTo => "Resent-To",
        RecipientRole.ResentCc => "Resent-Cc",
        RecipientRole.ResentBcc => "Resent-Bcc",
        RecipientRole.Envelope => "envelope recipient",
        RecipientRole.ReplyTo => "Reply-To",
        _ => role.ToName(),
    };
}
