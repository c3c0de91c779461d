using McpEgress.Mail;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// A message being read from a request; turned into a <see cref="MailMessage"/> by <see cref="MailApiMessageFactory"/>,
/// which hands the draft's address lists to the message as they are: a draft is not touched once emitted.
/// </summary>
internal sealed class MessageDraft
{
    public List<MailAddress> From { get; } = new();
    public MailAddress? Sender { get; set; }
    public List<MailAddress> ReplyTo { get; } = new();
    public List<MailAddress> To { get; } = new();
    public List<MailAddress> Cc { get; } = new();
    public List<MailAddress> Bcc { get; } = new();
    public List<MailAddress> ResentTo { get; } = new();
    public List<MailAddress> ResentCc { get; } = new();
    public List<MailAddress> ResentBcc { get; } = new();
    /// <summary>Envelope recipients the API gives beside the message (SES Destinations with raw, Mailgun mime `to`...).</summary>
    public List<MailAddress> ApiEnvelope { get; } = new();
    public string? Subject { get; set; }
    public string? MessageId { get; set; }
    /// <summary>Endpoint for this message when it differs from the request's (a Graph $batch entry).</summary>
    public string? Endpoint { get; set; }
    /// <summary>Recipients staged in a draft, not sent by this request.</summary>
    public bool IsDraft { get; set; }
    /// <summary>The addresses come from an embedded raw RFC 822 message.</summary>
    public bool FromRawMessage { get; set; }
    public bool RawMessageCut { get; set; }

    /// <summary>Domains of the addresses beyond the per-message limit (not kept as addresses).</summary>
    public CutRecipients Cut => _cut ??= new();
    private CutRecipients? _cut;

    /// <summary>Domains of the addresses past <see cref="Imf.ImfOptions.MaxAddressesPerField"/> in one address string or MIME field.</summary>
    public CutRecipients? ImfCut;

    /// <summary>The IMF-cut addresses, or null when none was cut.</summary>
    public CutRecipients? ImfCutOrNull => ImfCut is { IsEmpty: false } ? ImfCut : null;

    /// <summary>The cut addresses, or null when none was cut (the common case allocates nothing).</summary>
    public CutRecipients? CutOrNull => _cut is { IsEmpty: false } ? _cut : null;

    /// <summary>True for the lists whose members no visible header shows: Bcc, Resent-Bcc, the API envelope.</summary>
    public bool IsHiddenList(List<MailAddress> list) => ReferenceEquals(list, Bcc) || ReferenceEquals(list, ResentBcc) || ReferenceEquals(list, ApiEnvelope);

    public int AddressCount =>
        From.Count + ReplyTo.Count + To.Count + Cc.Count + Bcc.Count + ResentTo.Count + ResentCc.Count + ResentBcc.Count
        + ApiEnvelope.Count;

    public bool HasRecipients =>
        To.Count + Cc.Count + Bcc.Count + ResentTo.Count + ResentCc.Count + ResentBcc.Count + ApiEnvelope.Count > 0;
}
