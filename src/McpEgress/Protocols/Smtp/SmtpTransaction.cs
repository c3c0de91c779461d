using McpEgress.Mail;

namespace McpEgress.Protocols.Smtp;

/// <summary>
/// One mail transaction (MAIL FROM .. end of DATA/BDAT LAST) as seen on the wire. Holds no credentials:
/// only the SASL mechanism name of the session's AUTH.
/// </summary>
public sealed class SmtpTransaction
{
    /// <summary>0-based ordinal of the transaction within its session.</summary>
    public int Index { get; init; }
    /// <summary>Argument of the last EHLO/HELO before MAIL FROM.</summary>
    public string? Helo { get; init; }
    /// <summary>Reverse-path without angle brackets ("" for the null sender &lt;&gt;); null if MAIL FROM was not seen.</summary>
    public string? MailFrom { get; init; }
    public int MailFromReplyCode { get; init; }
    /// <summary>SIZE= parameter of MAIL FROM (RFC 1870), if given and numeric.</summary>
    public long? DeclaredSize { get; init; }
    /// <summary>BODY= parameter (7BIT, 8BITMIME, BINARYMIME), upper case.</summary>
    public string? Body { get; init; }
    /// <summary>SMTPUTF8 parameter present (RFC 6531).</summary>
    public bool SmtpUtf8 { get; init; }
    /// <summary>Each RCPT TO with its reply code (0 = reply not seen).</summary>
    public IReadOnlyList<EnvelopeRecipient> Recipients { get; init; } = [];
    /// <summary>RCPT TO commands beyond <see cref="SmtpOptions.MaxRecipientsPerTransaction"/>, not kept.</summary>
    public int DroppedRecipients { get; init; }
    /// <summary>Domains of the recipients not kept (null when none was cut).</summary>
    public CutRecipients? CutRecipients { get; init; }
    /// <summary>RCPT TO addresses shortened to <see cref="SmtpOptions.MaxAddressChars"/> (domain kept).</summary>
    public int ShortenedAddresses { get; init; }
    /// <summary>Beyond <see cref="SmtpOptions.MaxTransactionsPerSession"/>: the envelope is known, the headers were not kept.</summary>
    public bool HeadersNotParsed { get; init; }
    /// <summary>Mechanism of the session's successful (or unanswered) AUTH, e.g. PLAIN; never the credentials.</summary>
    public string? AuthMechanism { get; init; }
    /// <summary>"DATA" or "BDAT".</summary>
    public string? DataCommand { get; init; }
    /// <summary>Reply to the end of DATA content / to BDAT LAST; 0 when not seen.</summary>
    public int DataReplyCode { get; init; }
    /// <summary>Header section as transmitted (dot-unstuffed), up to the empty line, capped at <see cref="SmtpOptions.MaxHeaderBytes"/>.</summary>
    public byte[] HeaderBlock { get; init; } = [];
    public bool HeadersTruncated { get; init; }
    /// <summary>Message size after dot-unstuffing (gaps counted by their length).</summary>
    public long MessageBytes { get; init; }
    public bool InsideTls { get; init; }
    public long StartTimestampNs { get; init; }
    public long EndTimestampNs { get; init; }
    /// <summary>Part of the message was not seen (gap, capture ended inside the content, bad BDAT size).</summary>
    public bool Incomplete { get; init; }

    /// <summary>Accepted recipients (2xx or no reply seen).</summary>
    public IEnumerable<EnvelopeRecipient> AcceptedRecipients => Recipients.Where(r => r.Accepted);
}
