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
        var seen = new OnceSet(MailAddress.AddressComparer); // the denied addresses alerted on

        CheckAll(message, message.To, RecipientRole.To, ref seen, alerts);
        CheckAll(message, message.Cc, RecipientRole.Cc, ref seen, alerts);
        CheckAll(message, message.ResentTo, RecipientRole.ResentTo, ref seen, alerts);
        CheckAll(message, message.ResentCc, RecipientRole.ResentCc, ref seen, alerts);
        CheckAll(message, message.Bcc, RecipientRole.Bcc, ref seen, alerts);
        CheckAll(message, message.ResentBcc, RecipientRole.ResentBcc, ref seen, alerts);
        if (message.Envelope is { } env)
        {
            var rcpt = env.RcptTo;
            for (int i = 0; i < rcpt.Count; i++)
                if (MayBeDenied(rcpt[i].Address)) // before making the address, which works its domain out (a string)
                    Check(message, new MailAddress(rcpt[i].Address), RecipientRole.Envelope, ref seen, alerts, rcpt[i].Accepted ? null : rcpt[i].ReplyCode);
        }
        CheckAll(message, message.ApiEnvelope, RecipientRole.Envelope, ref seen, alerts);
        var hidden = message.Hidden;
        for (int i = 0; i < hidden.Count; i++)
            if (MayBeDenied(hidden[i].Address)) // before RoleOf, which scans the Bcc lists
                Check(message, hidden[i].Address, HiddenRecipients.RoleOf(message, hidden[i]), ref seen, alerts, null);
        CheckAll(message, message.ReplyTo, RecipientRole.ReplyTo, ref seen, alerts);

        // Recipients a limit cut from the message: their domains are still known, and still judged.
        var cuts = message.CutRecipients;
        for (int i = 0; i < cuts.Count; i++)
        {
            var cut = cuts[i];
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

    /// <summary>
    /// False when <paramref name="address"/>'s domain is surely not denied (checked on the address's own text, without
    /// allocating, for ASCII domains); true when it may be (<see cref="DeniedEntry"/> decides).
    /// </summary>
    private bool MayBeDenied(MailAddress address) => MayBeDenied(address.Address);

    private bool MayBeDenied(string address)
    {
        if (!DomainName.TryAsciiDomainOf(address, out var domain)) return true;
        if (domain.Length == 0) return false;
        foreach (var p in _denied)
            if (p.Matches(domain)) return true;
        return false;
    }

    private void CheckAll(MailMessage message, IReadOnlyList<MailAddress> list, RecipientRole role, ref OnceSet seen, List<Alert> alerts)
    {
        for (int i = 0; i < list.Count; i++)
            Check(message, list[i], role, ref seen, alerts, null);
    }

    private void Check(MailMessage message, MailAddress address, RecipientRole role, ref OnceSet seen, List<Alert> alerts, int? rejectedWith)
    {
        if (!MayBeDenied(address)) return;
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
