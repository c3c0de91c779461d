namespace McpEgress.Mail;

/// <summary>The SMTP side of a message: what the client told the server, with the server's answers.</summary>
public sealed class SmtpEnvelope
{
    public string? Helo { get; init; }
    public string? MailFrom { get; init; }
    public int MailFromReplyCode { get; init; }
    public IReadOnlyList<EnvelopeRecipient> RcptTo { get; init; } = [];
    /// <summary>SASL mechanism name only (PLAIN, LOGIN, XOAUTH2, ...). Credentials are never kept.</summary>
    public string? AuthMechanism { get; init; }
    /// <summary>Reply to the end of DATA / last BDAT; 0 if not seen.</summary>
    public int DataReplyCode { get; init; }
    /// <summary>True when the transaction ran inside TLS (STARTTLS or implicit TLS).</summary>
    public bool Tls { get; init; }
    /// <summary>"DATA" or "BDAT".</summary>
    public string? DataCommand { get; init; }
    public long MessageBytes { get; init; }
    /// <summary>The header block exceeded limits.smtp.max_header_bytes (the rest was only scanned for recipient domains).</summary>
    public bool HeadersTruncated { get; init; }
    /// <summary>A gap or the end of the capture cut the transaction before its end.</summary>
    public bool Incomplete { get; init; }
}
