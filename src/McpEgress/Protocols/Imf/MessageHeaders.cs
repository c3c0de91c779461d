using System.Text;
using McpEgress.Diagnostics;
using McpEgress.Mail;

namespace McpEgress.Protocols.Imf;

/// <summary>
/// The header fields of one message that the monitor cares about (RFC 5322 §3.6), parsed from its header block.
/// Address fields that occur several times are concatenated (real mail has several To or Cc fields; MTAs deliver
/// to all of them); a repeated singleton field is reported as <c>duplicate_header_field</c> and the first kept.
/// </summary>
public sealed class MessageHeaders
{
    public IReadOnlyList<MailAddress> From { get; private init; } = [];
    public MailAddress? Sender { get; private init; }
    public IReadOnlyList<MailAddress> ReplyTo { get; private init; } = [];
    public IReadOnlyList<MailAddress> To { get; private init; } = [];
    public IReadOnlyList<MailAddress> Cc { get; private init; } = [];
    /// <summary>Bcc addresses; empty when the field is absent or empty (see <see cref="HasBcc"/>).</summary>
    public IReadOnlyList<MailAddress> Bcc { get; private init; } = [];
    public IReadOnlyList<MailAddress> ResentFrom { get; private init; } = [];
    public IReadOnlyList<MailAddress> ResentTo { get; private init; } = [];
    public IReadOnlyList<MailAddress> ResentCc { get; private init; } = [];
    public IReadOnlyList<MailAddress> ResentBcc { get; private init; } = [];
    /// <summary>True when a Bcc field was present, even an empty one (§3.6.3 allows "Bcc:" with no addresses).</summary>
    public bool HasBcc { get; private init; }
    /// <summary>Subject with encoded-words decoded; null when absent.</summary>
    public string? Subject { get; private init; }
    /// <summary>Message-ID as written (trimmed), angle brackets included; null when absent.</summary>
    public string? MessageId { get; private init; }
    /// <summary>Date as written (trimmed); null when absent. Not parsed: detection needs no date arithmetic.</summary>
    public string? Date { get; private init; }
    /// <summary>Well-formed header fields in the block, kept or not.</summary>
    public int FieldCount { get; private init; }
    /// <summary>True when the empty line ending the header block was seen.</summary>
    public bool EndOfHeaders { get; private init; }
    /// <summary>Offset just after the empty line (the body starts there), or the bytes inspected.</summary>
    public int BytesConsumed { get; private init; }

    public static MessageHeaders Parse(ReadOnlySpan<byte> headerBlock, ImfOptions? options = null, IAnomalySink? anomalies = null)
    {
        var o = options ?? ImfOptions.Default;
        var h = new Collector(o, anomalies);
        HeaderBlockResult r;
        try
        {
            r = HeaderBlockParser.Parse(headerBlock, ref h, o, anomalies);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            anomalies?.Report(AnomalyStage.Imf, "header_parser_error");
            r = default;
        }
        return new MessageHeaders
        {
            From = h.Lists[(int)Field.From] ?? [],
            Sender = h.Sender,
            ReplyTo = h.Lists[(int)Field.ReplyTo] ?? [],
            To = h.Lists[(int)Field.To] ?? [],
            Cc = h.Lists[(int)Field.Cc] ?? [],
            Bcc = h.Lists[(int)Field.Bcc] ?? [],
            ResentFrom = h.Lists[(int)Field.ResentFrom] ?? [],
            ResentTo = h.Lists[(int)Field.ResentTo] ?? [],
            ResentCc = h.Lists[(int)Field.ResentCc] ?? [],
            ResentBcc = h.Lists[(int)Field.ResentBcc] ?? [],
            HasBcc = h.Lists[(int)Field.Bcc] is not null,
            Subject = h.Subject,
            MessageId = h.MessageId,
            Date = h.Date,
            FieldCount = r.FieldCount,
            EndOfHeaders = r.EndOfHeaders,
            BytesConsumed = r.BytesConsumed,
        };
    }

    private enum Field
    {
        From, ReplyTo, To, Cc, Bcc, ResentFrom, ResentTo, ResentCc, ResentBcc, Sender, Subject, MessageId, Date,
    }

    private static readonly (byte[] Name, Field Field)[] Known =
    [
        ("From"u8.ToArray(), Field.From), ("Sender"u8.ToArray(), Field.Sender), ("Reply-To"u8.ToArray(), Field.ReplyTo),
        ("To"u8.ToArray(), Field.To), ("Cc"u8.ToArray(), Field.Cc), ("Bcc"u8.ToArray(), Field.Bcc),
        ("Resent-From"u8.ToArray(), Field.ResentFrom), ("Resent-To"u8.ToArray(), Field.ResentTo),
        ("Resent-Cc"u8.ToArray(), Field.ResentCc), ("Resent-Bcc"u8.ToArray(), Field.ResentBcc),
        ("Subject"u8.ToArray(), Field.Subject), ("Message-ID"u8.ToArray(), Field.MessageId), ("Date"u8.ToArray(), Field.Date),
    ];

    private static Field? Lookup(ReadOnlySpan<byte> name)
    {
        foreach (var (n, f) in Known)
            if (Ascii.EqualsIgnoreCase(name, n)) return f;
        return null;
    }

    private sealed class Collector(ImfOptions o, IAnomalySink? anomalies) : IHeaderFieldHandler
    {
        public readonly List<MailAddress>?[] Lists = new List<MailAddress>?[9];
        public MailAddress? Sender;
        public string? Subject, MessageId, Date;
        private bool _sender;

        public bool Wants(ReadOnlySpan<byte> name) => Lookup(name) is not null;

        public void OnField(HeaderField field)
        {
            Field f = default;
            foreach (var (n, k) in Known)
                if (Ascii.EqualsIgnoreCase(n, field.Name.AsSpan())) { f = k; break; }
            switch (f)
            {
                case Field.Sender:
                {
                    // §3.6.2: a single mailbox.
                    if (_sender) { anomalies?.Report(AnomalyStage.Imf, "duplicate_header_field"); return; }
                    _sender = true;
                    var l = AddressListParser.Parse(field.Value, o, anomalies);
                    if (l.Count > 0) Sender = l[0];
                    if (l.Count > 1) anomalies?.Report(AnomalyStage.Imf, "sender_not_single_mailbox");
                    return;
                }
                case Field.Subject:
                    if (Subject is not null) { anomalies?.Report(AnomalyStage.Imf, "duplicate_header_field"); return; }
                    Subject = EncodedWordDecoder.Decode(field.Value, anomalies);
                    return;
                case Field.MessageId:
                    if (MessageId is not null) { anomalies?.Report(AnomalyStage.Imf, "duplicate_header_field"); return; }
                    MessageId = field.Value;
                    return;
                case Field.Date:
                    if (Date is not null) { anomalies?.Report(AnomalyStage.Imf, "duplicate_header_field"); return; }
                    Date = field.Value;
                    return;
                default:
                {
                    ref var list = ref Lists[(int)f];
                    // §3.6.2/§3.6.3 allow each originator/destination field once; Resent-* blocks may repeat (§3.6.6).
                    if (list is not null && f is Field.From or Field.ReplyTo or Field.To or Field.Cc or Field.Bcc)
                        anomalies?.Report(AnomalyStage.Imf, "duplicate_header_field");
                    list ??= new List<MailAddress>();
                    AddressListParser.ParseInto(field.Value, list, o, anomalies);
                    return;
                }
            }
        }
    }
}
