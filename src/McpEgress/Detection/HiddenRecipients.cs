using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>Role helpers for a message's hidden recipients (<see cref="MailMessage.Hidden"/>).</summary>
public static class HiddenRecipients
{
    /// <summary>Bcc, or Resent-Bcc when only that field lists the address; Envelope for envelope-only recipients.</summary>
    public static RecipientRole RoleOf(MailMessage message, HiddenRecipient hidden)
    {
        if (hidden.Reason == HiddenReason.EnvelopeOnly) return RecipientRole.Envelope;
        foreach (var a in message.Bcc)
            if (MailAddress.AddressComparer.Equals(a.Address, hidden.Address.Address)) return RecipientRole.Bcc;
        foreach (var a in message.ResentBcc)
            if (MailAddress.AddressComparer.Equals(a.Address, hidden.Address.Address)) return RecipientRole.ResentBcc;
        return RecipientRole.Bcc;
    }

    /// <summary>
    /// True when the normalized <paramref name="domain"/> is the sender's own organisation (<paramref name="sender"/>,
    /// normalized, may be empty) or a visible recipient's (To, Cc, Resent-To, Resent-Cc), by <see cref="DomainName.AreRelated"/>.
    /// <paramref name="visible"/> caches the message's visible domains between calls.
    /// </summary>
    public static bool IsOwnOrVisible(MailMessage message, string domain, string sender, ref List<string>? visible)
    {
        if (sender.Length > 0 && DomainName.AreRelated(domain, sender)) return true;
        visible ??= VisibleDomains(message);
        foreach (var v in visible)
            if (DomainName.AreRelated(domain, v)) return true;
        return false;
    }

    /// <summary>
    /// True when a hidden recipient's normalized <paramref name="domain"/> is foreign to the message: not the sender's
    /// or a visible recipient's organisation (<see cref="IsOwnOrVisible"/>), not in <paramref name="allowed"/>, and
    /// not a known CRM/archive sink of <paramref name="knownSinks"/> (<see cref="KnownSinks.Effective"/>). The one test
    /// hidden-foreign-domain, hidden-sink and new-hidden-domain share.
    /// </summary>
    public static bool IsForeign(MailMessage message, string domain, string sender, IReadOnlyList<DomainPattern> allowed,
        IReadOnlyList<KnownSink> knownSinks, ref List<string>? visible)
    {
        if (IsOwnOrVisible(message, domain, sender, ref visible)) return false;
        foreach (var p in allowed)
            if (p.Matches(domain)) return false;
        return KnownSinks.Match(knownSinks, domain) is null;
    }

    /// <summary>The normalized domains of the visible recipients (To, Cc, Resent-To, Resent-Cc), each once.</summary>
    public static List<string> VisibleDomains(MailMessage m)
    {
        var result = new List<string>();
        foreach (var list in new[] { m.To, m.Cc, m.ResentTo, m.ResentCc })
            foreach (var a in list)
            {
                string d = DomainName.Normalize(a.Domain);
                if (d.Length > 0 && !result.Contains(d)) result.Add(d);
            }
        return result;
    }

    /// <summary>
    /// The comparable form of a hidden mailbox: local part lower-cased with any <c>+tag</c> removed (RFC 5233
    /// subaddress), domain in its normalized ASCII form (IDN folded). <c>Stats+X@Quiet.Example</c> and
    /// <c>stats@quiet.example</c> are one sink.
    /// </summary>
    public static string SinkKey(MailAddress address)
    {
        string a = address.Address;
        int at = a.LastIndexOf('@');
        if (at < 0) return a.ToLowerInvariant();
        var local = a.AsSpan(0, at);
        int plus = local.IndexOf('+');
        if (plus > 0) local = local[..plus];
        return string.Concat(local.ToString().ToLowerInvariant(), "@", DomainName.Normalize(a[(at + 1)..]));
    }
}
