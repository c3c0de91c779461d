using McpEgress.Decode;

namespace McpEgress.Mail;

/// <summary>
/// One outbound message, whatever carried it. This is the unit that crosses from protocols into detection.
/// Protocol code fills it; <see cref="Hidden"/> is derived from the recipient lists on first use.
/// </summary>
public sealed class MailMessage
{
    public required MailTransport Transport { get; init; }
    /// <summary>Mail API provider id ("postmark", "sendgrid", ...) for HTTP; null for SMTP.</summary>
    public string? Provider { get; init; }
    public long TimestampNs { get; init; }
    public long FlowId { get; init; }
    public Endpoint Source { get; init; }
    public Endpoint Destination { get; init; }
    /// <summary>Server name from TLS SNI, HTTP Host, or the SMTP banner host.</summary>
    public string? ServerName { get; init; }

    public SmtpEnvelope? Envelope { get; init; }

    public IReadOnlyList<MailAddress> From { get; init; } = [];
    public MailAddress? Sender { get; init; }
    public IReadOnlyList<MailAddress> ReplyTo { get; init; } = [];
    public IReadOnlyList<MailAddress> To { get; init; } = [];
    public IReadOnlyList<MailAddress> Cc { get; init; } = [];
    /// <summary>Bcc header or API bcc field, as given.</summary>
    public IReadOnlyList<MailAddress> Bcc { get; init; } = [];
    public IReadOnlyList<MailAddress> ResentTo { get; init; } = [];
    public IReadOnlyList<MailAddress> ResentCc { get; init; } = [];
    public IReadOnlyList<MailAddress> ResentBcc { get; init; } = [];
    /// <summary>Envelope recipients given by an API (SES Destinations, Mailgun mime `to`), if any.</summary>
    public IReadOnlyList<MailAddress> ApiEnvelope { get; init; } = [];

    public string? Subject { get; init; }
    public string? MessageId { get; init; }

    /// <summary>
    /// Limits that cut part of this message (recipients, transactions, addresses, field lengths). Empty for a whole
    /// message. A cut message is still emitted, and its cut recipients' domains are in <see cref="CutRecipients"/>.
    /// </summary>
    public IReadOnlyList<MessageTruncation> Truncations { get; init; } = [];

    /// <summary>Domains of the recipients a limit did not keep (see <see cref="Truncations"/>).</summary>
    public IReadOnlyList<CutRecipientDomain> CutRecipients { get; init; } = [];

    private IReadOnlyList<HiddenRecipient>? _hidden;

    /// <summary>
    /// All hidden recipients, each once: Bcc fields plus envelope-only recipients. Computed by
    /// <see cref="RecipientResolver"/> on first read (the recipient lists are init-only, so it cannot go stale) and
    /// cached, so rules and exporters share one computation and no producer can forget it.
    /// </summary>
    public IReadOnlyList<HiddenRecipient> Hidden
    {
        get => _hidden ??= RecipientResolver.Resolve(this);
        set => _hidden = value;
    }

    /// <summary>The HTTP request of a mail-API message; null for SMTP.</summary>
    public HttpFacts? Http { get; init; }

    /// <summary>What the mail-API call said about itself (endpoint, draft, raw message); null for SMTP.</summary>
    public ApiCallFacts? Api { get; init; }

    /// <summary>The TLS session the message travelled in; null when it was not inside (decrypted) TLS.</summary>
    public TlsFacts? Tls { get; set; }

    /// <summary>The local process that opened the connection; null when not attributed (replay, remote flows).</summary>
    public ProcessFacts? Process { get; set; }

    /// <summary>The proxy tunnel (CONNECT, SOCKS) the message travelled in; null when it went direct.</summary>
    public TunnelFacts? Tunnel { get; set; }

    /// <summary>Domain of the sender: From, else the envelope MAIL FROM.</summary>
    public string? SenderDomain
    {
        get
        {
            var from = From; // indexed: a foreach over the interface would box its enumerator, once per message
            for (int i = 0; i < from.Count; i++)
                if (from[i].Domain.Length > 0) return from[i].Domain;
            if (Envelope?.MailFrom is { Length: > 0 } mf)
            {
                var d = new MailAddress(mf).Domain;
                if (d.Length > 0) return d;
            }
            return null;
        }
    }
}
