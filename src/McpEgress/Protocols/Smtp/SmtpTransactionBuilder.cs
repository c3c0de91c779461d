using System.Buffers;
using McpEgress.Diagnostics;
using McpEgress.Mail;

namespace McpEgress.Protocols.Smtp;

/// <summary>Mutable state of one transaction while commands, content and replies arrive.</summary>
internal sealed class SmtpTransactionBuilder
{
    private readonly int _maxHeaderBytes;
    private byte[]? _header;
    private int _headerLength;
    private readonly List<EnvelopeRecipient> _recipients = [];
    private HeaderOverflowScanner? _overflow;

    public SmtpTransactionBuilder(int index, int maxHeaderBytes) => (Index, _maxHeaderBytes) = (index, maxHeaderBytes);

    public int Index { get; }
    public bool Suppressed { get; init; }
    public bool Emitted { get; set; }
    public string? Helo { get; set; }
    public string? AuthMechanism { get; set; }
    public bool InsideTls { get; init; }
    public long StartTs { get; init; }
    public long EndTs { get; set; }

    public string? MailFrom { get; set; }
    public int MailFromReplyCode { get; set; }
    public long? DeclaredSize { get; set; }
    public string? Body { get; set; }
    public bool SmtpUtf8 { get; set; }
    public int DroppedRecipients { get; set; }
    public string? DataCommand { get; set; }
    public int DataReplyCode { get; set; }
    public bool Incomplete { get; set; }
    public bool HeadersTruncated { get; set; }
    public long MessageBytes { get; set; }

    // Content parse state, kept here so BDAT chunks continue where the previous one stopped.
    public SmtpContentState ContentState { get; set; }
    public bool ContentStarted { get; set; }
    public bool InHeaders { get; set; } = true;
    public byte LastContentByte { get; set; }
    public bool BareLfReported { get; set; }

    public int RecipientCount => _recipients.Count;

    /// <summary>Domains of RCPT TO recipients beyond the per-transaction limit (created on the first one).</summary>
    public CutRecipients? CutRecipients { get; private set; }

    /// <summary>Envelope addresses that were shortened to the address length limit.</summary>
    public int ShortenedAddresses { get; set; }

    public void AddCutRecipient(string address) => (CutRecipients ??= new CutRecipients()).Add(address, mayBeHidden: true);

    public void AddRecipient(string address, int code)
    {
        _recipients.Add(new EnvelopeRecipient(address, code));
    }

    /// <summary>Counts content; keeps it while still inside the header section, up to the header limit.</summary>
    public void AppendContent(ReadOnlySpan<byte> bytes, IAnomalySink anomalies)
    {
        MessageBytes += bytes.Length;
        if (!InHeaders || Suppressed) return;
        if (HeadersTruncated)
        {
            _overflow!.Append(bytes); // past the budget: address fields still give their domains
            return;
        }
        int room = _maxHeaderBytes - _headerLength;
        if (bytes.Length > room)
        {
            HeadersTruncated = true;
            anomalies.Report(AnomalyStage.Smtp, SmtpAnomalies.HeaderBlockTruncated);
            _overflow = new HeaderOverflowScanner();
            _overflow.Append(bytes[Math.Max(0, room)..]);
            bytes = bytes[..Math.Max(0, room)];
        }
        if (bytes.IsEmpty) return;
        int need = _headerLength + bytes.Length;
        if (_header is null || _header.Length < need)
        {
            // Pooled: Build copies the block out at its exact length and gives the buffer back (a builder dropped
            // before that, by RSET or a close, leaves its buffer to the GC, which the shared pool allows).
            var grown = ArrayPool<byte>.Shared.Rent(Math.Min(_maxHeaderBytes, Math.Max(need, Math.Max(1024, (_header?.Length ?? 0) * 2))));
            _header?.AsSpan(0, _headerLength).CopyTo(grown);
            if (_header is not null) ArrayPool<byte>.Shared.Return(_header);
            _header = grown;
        }
        bytes.CopyTo(_header.AsSpan(_headerLength));
        _headerLength = need;
    }

    /// <summary>
    /// The transaction with this builder's content and <paramref name="envelope"/>'s envelope: the server's open
    /// transaction, which is another builder only when the client's commands ran ahead of replies that refused one
    /// (a BDAT chunk sent after a nested MAIL that got 503).
    /// </summary>
    public SmtpTransaction Build(SmtpTransactionBuilder envelope)
    {
        var e = envelope;
        byte[] headerBlock = _header is null ? [] : _header.AsSpan(0, _headerLength).ToArray();
        if (_header is not null)
        {
            ArrayPool<byte>.Shared.Return(_header);
            _header = null;
            _headerLength = 0;
        }
        var recipients = e._recipients.Count == 0 ? [] : e._recipients.ToArray();
        return new SmtpTransaction
        {
            Index = e.Index,
            Helo = e.Helo,
            MailFrom = e.MailFrom,
            MailFromReplyCode = e.MailFromReplyCode,
            DeclaredSize = e.DeclaredSize,
            Body = e.Body,
            SmtpUtf8 = e.SmtpUtf8,
            Recipients = recipients,
            DroppedRecipients = e.DroppedRecipients,
            AuthMechanism = e.AuthMechanism,
            DataCommand = DataCommand,
            DataReplyCode = DataReplyCode,
            HeaderBlock = headerBlock,
            HeadersTruncated = HeadersTruncated,
            MessageBytes = MessageBytes,
            InsideTls = e.InsideTls,
            StartTimestampNs = e.StartTs,
            EndTimestampNs = EndTs,
            Incomplete = Incomplete || e.Incomplete,
            // RCPT TO past the limit, and header lines past the byte budget: both only by their domains.
            CutRecipients = Mail.CutRecipients.Combine(e.CutRecipients, _overflow?.Found),
            ShortenedAddresses = e.ShortenedAddresses,
            HeadersNotParsed = Suppressed,
        };
    }
}
