namespace McpEgress.Protocols.Smtp;

/// <summary>What a client line was (or what a pending reply answers).</summary>
internal enum SmtpCommandKind : byte
{
    Unknown,
    Ehlo,
    Helo,
    Mail,
    Rcpt,
    Data,
    /// <summary>Pseudo-command: the end of DATA content, answered by the message's final reply.</summary>
    DataEnd,
    Bdat,
    Rset,
    Noop,
    Vrfy,
    Expn,
    Help,
    Quit,
    StartTls,
    Auth,
    /// <summary>Known extension commands we do not interpret (XCLIENT, XFORWARD, ETRN, ...).</summary>
    Other,
}
