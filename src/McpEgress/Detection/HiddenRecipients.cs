using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>Role helpers for a message's hidden recipients (<see cref="MailMessage.Hidden"/>).</summary>
public static class HiddenRecipients
{
    /// <summary>Bcc, or Resent-Bcc when only that field lists the address; Envelope for envelope-only recipients.</summary>
    public static RecipientRole RoleOf(MailMessage message, HiddenRecipient hidden)
    {
        if (hidden.Reason == HiddenReason.EnvelopeOnly) return RecipientRole.Envelope;
        var bcc = message.Bcc;
        for (int i = 0; i < bcc.Count; i++)
            if (MailAddress.AddressComparer.Equals(bcc[i].Address, hidden.Address.Address)) return RecipientRole.Bcc;
        var resent = message.ResentBcc;
        for (int i = 0; i < resent.Count; i++)
            if (MailAddress.AddressComparer.Equals(resent[i].Address, hidden.Address.Address)) return RecipientRole.ResentBcc;
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
        visible ??= Domains(message).Visible;
        for (int i = 0; i < visible.Count; i++)
            if (DomainName.AreRelated(domain, visible[i])) return true;
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
        for (int i = 0; i < allowed.Count; i++)
            if (allowed[i].Matches(domain)) return false;
        return KnownSinks.Match(knownSinks, domain) is null;
    }

    /// <summary>The normalized domains of the visible recipients (To, Cc, Resent-To, Resent-Cc), each once.</summary>
    public static List<string> VisibleDomains(MailMessage m)
    {
        var result = new List<string>();
        AddVisibleDomains(m, result);
        return result;
    }

    private static void AddVisibleDomains(MailMessage m, List<string> result)
    {
        AddDomains(m.To, result);
        AddDomains(m.Cc, result);
        AddDomains(m.ResentTo, result);
        AddDomains(m.ResentCc, result);
    }

    private static void AddDomains(IReadOnlyList<MailAddress> list, List<string> result)
    {
        for (int i = 0; i < list.Count; i++)
        {
            string d = DomainName.Normalize(list[i].Domain);
            if (d.Length > 0 && !result.Contains(d)) result.Add(d);
        }
    }

    /// <summary>
    /// What the hidden-recipient rules ask of one message, worked out once for all of them: the normalized sender
    /// domain, the visible domains, the normalized domain of each hidden recipient. One per thread, for the message
    /// evaluated last (the recipient lists are init-only; <see cref="MailMessage.Hidden"/>, which may be replaced, is
    /// compared too). Its lists are reused for the next message: read them while judging this one, keep none.
    /// </summary>
    internal sealed class MessageDomains
    {
        public MailMessage? Message { get; private set; }
        private IReadOnlyList<HiddenRecipient>? _hiddenList;
        private string[] _hidden = new string[4];
        private readonly List<string> _visible = [];
        private readonly List<string> _visibleOrgs = [];
        private bool _visibleDone, _orgsDone;

        /// <summary><see cref="MailMessage.SenderDomain"/> as it is (null when unknown).</summary>
        public string? SenderDomain { get; private set; }

        /// <summary>The normalized <see cref="SenderDomain"/> (empty when unknown).</summary>
        public string Sender { get; private set; } = string.Empty;

        /// <summary>The normalized domains of the visible recipients, each once (<see cref="VisibleDomains"/>).</summary>
        public List<string> Visible
        {
            get
            {
                if (!_visibleDone)
                {
                    AddVisibleDomains(Message!, _visible);
                    _visibleDone = true;
                }
                return _visible;
            }
        }

        /// <summary>The registrable domains of <see cref="Visible"/>, each once, none empty.</summary>
        public List<string> VisibleOrgs
        {
            get
            {
                if (_orgsDone) return _visibleOrgs;
                foreach (var v in Visible)
                {
                    string org = RegistrableDomain.Of(v);
                    if (org.Length > 0 && !_visibleOrgs.Contains(org)) _visibleOrgs.Add(org);
                }
                _orgsDone = true;
                return _visibleOrgs;
            }
        }

        /// <summary><see cref="DomainName.Normalize"/> of the domain of <paramref name="index"/>'s hidden recipient.</summary>
        public string Hidden(int index) => _hidden[index];

        public void Reset(MailMessage message)
        {
            Message = message;
            _visible.Clear();
            _visibleOrgs.Clear();
            _visibleDone = _orgsDone = false;
            SenderDomain = message.SenderDomain;
            Sender = DomainName.Normalize(SenderDomain);
            Fill(message.Hidden);
        }

        public void Fill(IReadOnlyList<HiddenRecipient> hidden)
        {
            _hiddenList = hidden;
            if (hidden.Count > _hidden.Length) _hidden = new string[hidden.Count];
            else Array.Clear(_hidden);
            for (int i = 0; i < hidden.Count; i++) _hidden[i] = DomainName.Normalize(hidden[i].Address.Domain);
        }

        public bool Holds(IReadOnlyList<HiddenRecipient> hidden) => ReferenceEquals(_hiddenList, hidden);
    }

    [ThreadStatic] private static MessageDomains? t_domains;

    /// <summary>The <see cref="MessageDomains"/> of <paramref name="message"/> (this thread's, reused while the message is the same).</summary>
    internal static MessageDomains Domains(MailMessage message)
    {
        var d = t_domains ??= new MessageDomains();
        if (!ReferenceEquals(d.Message, message)) d.Reset(message);
        else if (!d.Holds(message.Hidden)) d.Fill(message.Hidden);
        return d;
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
        if (!System.Text.Ascii.IsValid(local) || !DomainName.TryAsciiDomainOf(a, out _))
            return string.Concat(local.ToString().ToLowerInvariant(), "@", DomainName.Normalize(a[(at + 1)..]));
        // ASCII throughout (the common case): one string, lower-cased as it is copied.
        string domain = DomainName.Normalize(address.Domain);
        return string.Create(local.Length + 1 + domain.Length, (a, local.Length, domain), static (dest, x) =>
        {
            System.Text.Ascii.ToLower(x.a.AsSpan(0, x.Item2), dest, out _);
            dest[x.Item2] = '@';
            x.domain.CopyTo(dest[(x.Item2 + 1)..]);
        });
    }
}
