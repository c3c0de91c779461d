namespace McpEgress.Mail;

/// <summary>
/// Computes a message's hidden recipients: every Bcc/Resent-Bcc address, plus every accepted envelope
/// recipient (SMTP RCPT TO, or an API's envelope list) that no To, Cc, Resent-To or Resent-Cc header shows.
/// </summary>
public static class RecipientResolver
{
    public static IReadOnlyList<HiddenRecipient> Resolve(MailMessage m)
    {
        var visible = new HashSet<string>(MailAddress.AddressComparer);
        foreach (var list in new[] { m.To, m.Cc, m.ResentTo, m.ResentCc })
            foreach (var a in list) visible.Add(a.Address);

        var seen = new HashSet<string>(MailAddress.AddressComparer);
        var hidden = new List<HiddenRecipient>();
        foreach (var list in new[] { m.Bcc, m.ResentBcc })
            foreach (var a in list)
                if (a.Address.Length > 0 && seen.Add(a.Address))
                    hidden.Add(new HiddenRecipient(a, HiddenReason.BccField));

        if (m.Envelope is { } env)
            foreach (var r in env.RcptTo)
                if (r.Accepted && r.Address.Length > 0 && !visible.Contains(r.Address) && seen.Add(r.Address))
                    hidden.Add(new HiddenRecipient(new MailAddress(r.Address), HiddenReason.EnvelopeOnly));

        foreach (var a in m.ApiEnvelope)
            if (a.Address.Length > 0 && !visible.Contains(a.Address) && seen.Add(a.Address))
                hidden.Add(new HiddenRecipient(a, HiddenReason.EnvelopeOnly));

        return hidden;
    }
}
