namespace McpEgress.Mail;

/// <summary>
/// Computes a message's hidden recipients: every Bcc/Resent-Bcc address, plus every accepted envelope
/// recipient (SMTP RCPT TO, or an API's envelope list) that no To, Cc, Resent-To or Resent-Cc header shows.
/// </summary>
public static class RecipientResolver
{
    // Up to this many visible plus candidate addresses the sets are plain scans (no hash sets per message); above
    // it, hash sets keep a message of thousands of recipients linear.
    private const int ScanLimit = 32;

    public static IReadOnlyList<HiddenRecipient> Resolve(MailMessage m)
    {
        int visibleCount = m.To.Count + m.Cc.Count + m.ResentTo.Count + m.ResentCc.Count;
        int candidates = m.Bcc.Count + m.ResentBcc.Count + (m.Envelope?.RcptTo.Count ?? 0) + m.ApiEnvelope.Count;
        if (candidates == 0) return [];
        var hidden = new List<HiddenRecipient>(Math.Min(candidates, ScanLimit)); // at most the candidates, not grown from 4
        return visibleCount + candidates <= ScanLimit ? Resolve(m, hidden, new Scan(m)) : Resolve(m, hidden, new Hashed(m));
    }

    private interface ISeen
    {
        bool IsVisible(string address);
        /// <summary>False when <paramref name="address"/> is among the hidden ones already (any case).</summary>
        bool Add(string address, List<HiddenRecipient> hidden);
    }

    private static List<HiddenRecipient> Resolve<TSeen>(MailMessage m, List<HiddenRecipient> hidden, TSeen seen) where TSeen : ISeen
    {
        AddBcc(m.Bcc, hidden, seen);
        AddBcc(m.ResentBcc, hidden, seen);

        if (m.Envelope is { } env)
            for (int i = 0; i < env.RcptTo.Count; i++)
            {
                var r = env.RcptTo[i];
                if (r.Accepted && r.Address.Length > 0 && !seen.IsVisible(r.Address) && seen.Add(r.Address, hidden))
                    hidden.Add(new HiddenRecipient(new MailAddress(r.Address), HiddenReason.EnvelopeOnly));
            }

        for (int i = 0; i < m.ApiEnvelope.Count; i++)
        {
            var a = m.ApiEnvelope[i];
            if (a.Address.Length > 0 && !seen.IsVisible(a.Address) && seen.Add(a.Address, hidden))
                hidden.Add(new HiddenRecipient(a, HiddenReason.EnvelopeOnly));
        }
        return hidden;
    }

    private static void AddBcc<TSeen>(IReadOnlyList<MailAddress> list, List<HiddenRecipient> hidden, TSeen seen) where TSeen : ISeen
    {
        for (int i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (a.Address.Length > 0 && seen.Add(a.Address, hidden))
                hidden.Add(new HiddenRecipient(a, HiddenReason.BccField));
        }
    }

    private static bool Contains(IReadOnlyList<MailAddress> list, string address)
    {
        for (int i = 0; i < list.Count; i++)
            if (MailAddress.AddressComparer.Equals(list[i].Address, address)) return true;
        return false;
    }

    /// <summary>A few addresses: the visible lists and the hidden ones found so far scanned in place.</summary>
    private readonly struct Scan(MailMessage m) : ISeen
    {
        public bool IsVisible(string address) =>
            Contains(m.To, address) || Contains(m.Cc, address) || Contains(m.ResentTo, address) || Contains(m.ResentCc, address);

        public bool Add(string address, List<HiddenRecipient> hidden)
        {
            foreach (var h in hidden)
                if (MailAddress.AddressComparer.Equals(h.Address.Address, address)) return false;
            return true;
        }
    }

    private readonly struct Hashed : ISeen
    {
        private readonly HashSet<string> _visible = new(MailAddress.AddressComparer);
        private readonly HashSet<string> _seen = new(MailAddress.AddressComparer);

        public Hashed(MailMessage m)
        {
            foreach (var list in new[] { m.To, m.Cc, m.ResentTo, m.ResentCc })
                foreach (var a in list) _visible.Add(a.Address);
        }

        public bool IsVisible(string address) => _visible.Contains(address);
        public bool Add(string address, List<HiddenRecipient> hidden) => _seen.Add(address);
    }
}
