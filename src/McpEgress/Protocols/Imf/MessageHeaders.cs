using System.Text;
using McpEgress.Diagnostics;
using McpEgress.Mail;
using MimeKit;

namespace McpEgress.Protocols.Imf;

/// <summary>
/// The header fields of one message that the monitor cares about (RFC 5322 §3.6), parsed from its header block by MimeKit.
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
    /// <summary>Header fields MimeKit found in the block (within the byte budget), kept or not.</summary>
    public int FieldCount { get; private init; }
    /// <summary>True when the empty line ending the header block was seen.</summary>
    public bool EndOfHeaders { get; private init; }
    /// <summary>
    /// Domains of the addresses past <see cref="ImfOptions.MaxAddressesPerField"/> in the address fields (Bcc and
    /// Resent-Bcc ones marked as possibly hidden); null when no field was cut.
    /// </summary>
    public CutRecipients? CutAddresses { get; private init; }

    public static MessageHeaders Parse(ReadOnlySpan<byte> headerBlock, ImfOptions? options = null, IAnomalySink? anomalies = null)
    {
        var o = options ?? ImfOptions.Default;
        bool endOfHeaders = HasEmptyLine(headerBlock);
        if (headerBlock.Length > o.MaxHeaderBlockBytes)
        {
            // Trimmed to the budget before parsing (like Kestrel); the fields inside it still count.
            headerBlock = headerBlock[..Math.Max(0, o.MaxHeaderBlockBytes)];
            if (!HasEmptyLine(headerBlock)) anomalies?.Report(AnomalyStage.Imf, ImfAnomalies.HeaderBlockTooLarge);
        }
        var h = t_collector ??= new Collector();
        h.Reset(o, anomalies);
        int fieldCount = 0;
        try
        {
            var headers = MimeHeaderBlock.Parse(headerBlock, o, anomalies);
            fieldCount = headers.Count;
            bool skipped = false;
            for (int i = 0; i < headers.Count; i++)
            {
                var header = headers[i];
                var f = Lookup(header.Id);
                // Address and identity fields are collected wherever they come; the cap applies to the rest.
                if (i >= o.MaxHeaderFields && f is null or Field.Date)
                {
                    skipped = true;
                    continue;
                }
                if (f is { } field) h.OnField(field, header);
            }
            if (skipped) anomalies?.Report(AnomalyStage.Imf, ImfAnomalies.TooManyHeaderFields);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            anomalies?.Report(AnomalyStage.Imf, ImfAnomalies.HeaderParserError);
        }
        return new MessageHeaders
        {
            From = Kept(h.Lists[(int)Field.From]),
            Sender = h.Sender,
            ReplyTo = Kept(h.Lists[(int)Field.ReplyTo]),
            To = Kept(h.Lists[(int)Field.To]),
            Cc = Kept(h.Lists[(int)Field.Cc]),
            Bcc = Kept(h.Lists[(int)Field.Bcc]),
            ResentFrom = Kept(h.Lists[(int)Field.ResentFrom]),
            ResentTo = Kept(h.Lists[(int)Field.ResentTo]),
            ResentCc = Kept(h.Lists[(int)Field.ResentCc]),
            ResentBcc = Kept(h.Lists[(int)Field.ResentBcc]),
            HasBcc = h.Lists[(int)Field.Bcc] is not null,
            Subject = h.Subject,
            MessageId = h.MessageId,
            Date = h.Date,
            FieldCount = fieldCount,
            EndOfHeaders = endOfHeaders,
            CutAddresses = h.Cut is { IsEmpty: false } ? h.Cut : null,
        };
    }

    // Not "?? []": against a List operand that is a new empty List per absent field.
    private static IReadOnlyList<MailAddress> Kept(List<MailAddress>? list) => list ?? (IReadOnlyList<MailAddress>)Array.Empty<MailAddress>();

    // RFC 5322 §2.1: the header block ends at the first empty line (CRLF, or a bare LF as MTAs accept).
    private static bool HasEmptyLine(ReadOnlySpan<byte> block) =>
        block.StartsWith("\n"u8) || block.StartsWith("\r\n"u8) || block.IndexOf("\n\n"u8) >= 0 || block.IndexOf("\n\r\n"u8) >= 0;

    private enum Field
    {
        From, ReplyTo, To, Cc, Bcc, ResentFrom, ResentTo, ResentCc, ResentBcc, Sender, Subject, MessageId, Date,
    }

    private static Field? Lookup(HeaderId id) => id switch
    {
        HeaderId.From => Field.From,
        HeaderId.Sender => Field.Sender,
        HeaderId.ReplyTo => Field.ReplyTo,
        HeaderId.To => Field.To,
        HeaderId.Cc => Field.Cc,
        HeaderId.Bcc => Field.Bcc,
        HeaderId.ResentFrom => Field.ResentFrom,
        HeaderId.ResentTo => Field.ResentTo,
        HeaderId.ResentCc => Field.ResentCc,
        HeaderId.ResentBcc => Field.ResentBcc,
        HeaderId.Subject => Field.Subject,
        HeaderId.MessageId => Field.MessageId,
        HeaderId.Date => Field.Date,
        _ => null,
    };

    // The collector is scratch (its lists and strings go to the MessageHeaders): one per thread, reset per block.
    [ThreadStatic] private static Collector? t_collector;

    private sealed class Collector
    {
        public readonly List<MailAddress>?[] Lists = new List<MailAddress>?[9];
        public MailAddress? Sender;
        public CutRecipients? Cut;
        public string? Subject, MessageId, Date;
        private bool _sender;
        private ImfOptions o = ImfOptions.Default;
        private IAnomalySink? anomalies;

        public void Reset(ImfOptions options, IAnomalySink? sink)
        {
            Array.Clear(Lists);
            Sender = null;
            Cut = null;
            Subject = MessageId = Date = null;
            _sender = false;
            o = options;
            anomalies = sink;
        }

        public void OnField(Field f, Header field)
        {
            switch (f)
            {
                case Field.Sender:
                {
                    // §3.6.2: a single mailbox.
                    if (_sender) { anomalies?.Report(AnomalyStage.Imf, ImfAnomalies.DuplicateHeaderField); return; }
                    _sender = true;
                    var l = new List<MailAddress>(1);
                    MimeAddresses.ParseInto(field.RawValue, l, o, anomalies);
                    if (l.Count > 0) Sender = l[0];
                    if (l.Count > 1) anomalies?.Report(AnomalyStage.Imf, ImfAnomalies.SenderNotSingleMailbox);
                    return;
                }
                case Field.Subject:
                    if (Subject is not null) { anomalies?.Report(AnomalyStage.Imf, ImfAnomalies.DuplicateHeaderField); return; }
                    Subject = Text(field);
                    return;
                case Field.MessageId:
                    if (MessageId is not null) { anomalies?.Report(AnomalyStage.Imf, ImfAnomalies.DuplicateHeaderField); return; }
                    MessageId = Text(field);
                    return;
                case Field.Date:
                    if (Date is not null) { anomalies?.Report(AnomalyStage.Imf, ImfAnomalies.DuplicateHeaderField); return; }
                    Date = Text(field);
                    return;
                default:
                {
                    ref var list = ref Lists[(int)f];
                    // §3.6.2/§3.6.3 allow each originator/destination field once; Resent-* blocks may repeat (§3.6.6).
                    if (list is not null && f is Field.From or Field.ReplyTo or Field.To or Field.Cc or Field.Bcc)
                        anomalies?.Report(AnomalyStage.Imf, ImfAnomalies.DuplicateHeaderField);
                    // Sized by the field's commas (usually one address), not grown from 4.
                    list ??= new List<MailAddress>(Math.Min(field.RawValue.AsSpan().Count((byte)',') + 1, o.MaxAddressesPerField));
                    // Past the per-field cap an address is not kept, but its domain is (a limit never hides a recipient).
                    if (list.Count >= o.MaxAddressesPerField && IsBlank(field.RawValue)) return;
                    MimeAddresses.ParseInto(field.RawValue, list, o, anomalies, ref Cut, cutMayBeHidden: f is Field.Bcc or Field.ResentBcc);
                    return;
                }
            }
        }

        // Unfolded (§2.2.3), encoded-words decoded (RFC 2047), undeclared 8-bit as UTF-8 else windows-1252, trimmed.
        private string Text(Header field)
        {
            // Printable ASCII on one line without "=?" decodes to itself: skip MimeKit's charset and RFC 2047 pass.
            var raw = field.RawValue.AsSpan().TrimEnd("\r\n"u8);
            string v = raw.IndexOfAnyExceptInRange((byte)' ', (byte)'~') < 0 && raw.IndexOf("=?"u8) < 0
                ? Encoding.ASCII.GetString(raw.Trim((byte)' '))
                : field.Value.Trim();
            if (v.Contains('\0')) anomalies?.Report(AnomalyStage.Imf, ImfAnomalies.HeaderNulByte);
            return v;
        }

        private static bool IsBlank(byte[] raw) => raw.AsSpan().Trim(" \t\r\n"u8).IsEmpty;
    }
}
