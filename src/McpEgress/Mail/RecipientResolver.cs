namespace McpEgress.Mail;

/// <summary>
/// Computes a message's hidden recipients: every Bcc/Resent-Bcc address, plus every accepted envelope
/// recipient (SMTP RCPT TO, or an API's envelope list) that no To, Cc, Resent-To or Resent-Cc header shows.
/// Runs once per message on the detection thread: the usual handful of addresses are compared by scanning the lists
/// (no set, no enumerator, one right-sized list); sets are made only for long lists.
/// </summary>
public static class RecipientResolver
{
    /// <summary>Up to this many addresses a list scan beats building a hash set.</summary>
    private const int ScanLimit = 16;

    public static IReadOnlyList<HiddenRecipient> Resolve(MailMessage m)
    {
        var rcpt = m.Envelope?.RcptTo ?? [];
        int candidates = m.Bcc.Count + m.ResentBcc.Count + rcpt.Count + m.ApiEnvelope.Count;
        if (candidates == 0) return [];

        HashSet<string>? visible = null;
        if (m.To.Count + m.Cc.Count + m.ResentTo.Count + m.ResentCc.Count > ScanLimit)
        {
            visible = new HashSet<string>(MailAddress.AddressComparer);
            foreach (var list in new[] { m.To, m.Cc, m.ResentTo, m.ResentCc })
                for (int i = 0; i < list.Count; i++) visible.Add(list[i].Address);
        }

        var hidden = new List<HiddenRecipient>(candidates);
        var seen = candidates > ScanLimit ? new HashSet<string>(MailAddress.AddressComparer) : null; // else: scan `hidden`
        AddBcc(m.Bcc, hidden, seen);
        AddBcc(m.ResentBcc, hidden, seen);

        for (int i = 0; i < rcpt.Count; i++)
        {
            var r = rcpt[i];
            if (r.Accepted && r.Address.Length > 0 && !IsVisible(m, visible, r.Address) && FirstTime(r.Address, hidden, seen))
                hidden.Add(new HiddenRecipient(new MailAddress(r.Address), HiddenReason.EnvelopeOnly));
        }

        var api = m.ApiEnvelope;
        for (int i = 0; i < api.Count; i++)
        {
            var a = api[i];
            if (a.Address.Length > 0 && !IsVisible(m, visible, a.Address) && FirstTime(a.Address, hidden, seen))
                hidden.Add(new HiddenRecipient(a, HiddenReason.EnvelopeOnly));
        }
        return hidden;
    }

    private static void AddBcc(IReadOnlyList<MailAddress> list, List<HiddenRecipient> hidden, HashSet<string>? seen)
    {
        for (int i = 0; i < list.Count; i++)
            if (list[i].Address.Length > 0 && FirstTime(list[i].Address, hidden, seen))
                hidden.Add(new HiddenRecipient(list[i], HiddenReason.BccField));
    }

    /// <summary>True when <paramref name="address"/> is not yet among the hidden recipients (and now counts as seen).</summary>
    private static bool FirstTime(string address, List<HiddenRecipient> hidden, HashSet<string>? seen)
    {
        if (seen is not null) return seen.Add(address);
        foreach (var h in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(hidden))
            if (MailAddress.AddressComparer.Equals(h.Address.Address, address)) return false;
        return true;
    }

    private static bool IsVisible(MailMessage m, HashSet<string>? visible, string address) =>
        visible?.Contains(address) ?? (Lists(m.To, address) || Lists(m.Cc, address) || Lists(m.ResentTo, address) || Lists(m.ResentCc, address));

    private static bool Lists(IReadOnlyList<MailAddress> list, string address)
    {
        for (int i = 0; i < list.Count; i++)
            if (MailAddress.AddressComparer.Equals(list[i].Address, address)) return true;
        return false;
    }
}
