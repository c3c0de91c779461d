using McpEgress.Mail;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// A message being read from a request; turned into a <see cref="MailMessage"/> by <see cref="MailApiMessageFactory"/>,
/// which hands the draft's address lists to the message as they are: a draft is not touched once emitted.
/// </summary>
internal sealed class MessageDraft
{
    // Each list is made on first use: a message names a few of these fields, and a reader that looks only at the fields
    // present (PostmarkPayload) makes only those.
    private List<MailAddress>? _from, _replyTo, _to, _cc, _bcc, _resentTo, _resentCc, _resentBcc, _apiEnvelope;

    public List<MailAddress> From => _from ??= new();
    public MailAddress? Sender { get; set; }
    public List<MailAddress> ReplyTo => _replyTo ??= new();
    public List<MailAddress> To => _to ??= new();
    public List<MailAddress> Cc => _cc ??= new();
    public List<MailAddress> Bcc => _bcc ??= new();
    public List<MailAddress> ResentTo => _resentTo ??= new();
    public List<MailAddress> ResentCc => _resentCc ??= new();
    public List<MailAddress> ResentBcc => _resentBcc ??= new();
    /// <summary>Envelope recipients the API gives beside the message (SES Destinations with raw, Mailgun mime `to`...).</summary>
    public List<MailAddress> ApiEnvelope => _apiEnvelope ??= new();

    /// <summary>Whether the list was made and holds an address (without making it).</summary>
    public bool HasFrom => _from is { Count: > 0 };
    public bool HasReplyTo => _replyTo is { Count: > 0 };

    // The lists as the message keeps them (MailApiMessageFactory): a list not made, or empty, is the shared empty one.
    internal IReadOnlyList<MailAddress> FromOrEmpty => OrEmpty(_from);
    internal IReadOnlyList<MailAddress> ReplyToOrEmpty => OrEmpty(_replyTo);
    internal IReadOnlyList<MailAddress> ToOrEmpty => OrEmpty(_to);
    internal IReadOnlyList<MailAddress> CcOrEmpty => OrEmpty(_cc);
    internal IReadOnlyList<MailAddress> BccOrEmpty => OrEmpty(_bcc);
    internal IReadOnlyList<MailAddress> ResentToOrEmpty => OrEmpty(_resentTo);
    internal IReadOnlyList<MailAddress> ResentCcOrEmpty => OrEmpty(_resentCc);
    internal IReadOnlyList<MailAddress> ResentBccOrEmpty => OrEmpty(_resentBcc);
    internal IReadOnlyList<MailAddress> ApiEnvelopeOrEmpty => OrEmpty(_apiEnvelope);

    // The draft is done with once emitted (MailApiCall.Emit), so its lists become the message's as they are: no copy.
    private static IReadOnlyList<MailAddress> OrEmpty(List<MailAddress>? list) => list is { Count: > 0 } ? list : Array.Empty<MailAddress>();

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
    public bool IsHiddenList(List<MailAddress> list) => ReferenceEquals(list, _bcc) || ReferenceEquals(list, _resentBcc) || ReferenceEquals(list, _apiEnvelope);

    public int AddressCount => Count(_from) + Count(_replyTo) + RecipientCount;

    public bool HasRecipients => RecipientCount > 0;

    private int RecipientCount =>
        Count(_to) + Count(_cc) + Count(_bcc) + Count(_resentTo) + Count(_resentCc) + Count(_resentBcc) + Count(_apiEnvelope);

    private static int Count(List<MailAddress>? list) => list?.Count ?? 0;
}
