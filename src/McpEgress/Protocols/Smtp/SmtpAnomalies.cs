using McpEgress.Diagnostics;

namespace McpEgress.Protocols.Smtp;

/// <summary>
/// Anomalies of the <c>smtp</c> stage: commands, replies and message content that break RFC 5321, and SMTP session limits reached.
/// Report these names, never a string literal: the catalogue is what the anomaly metrics create at zero and
/// what src/McpEgress/Diagnostics/ANOMALIES.md documents.
/// </summary>
public static class SmtpAnomalies
{
    /// <summary>A command or reply line longer than the line limit; the rest of the line is skipped.</summary>
    public const string LineTooLong = "line_too_long";

    /// <summary>One direction waited on the other for more bytes than the hold limit; the held bytes are processed out of order.</summary>
    public const string HeldBytesOverflow = "held_bytes_overflow";

    /// <summary>A line ending in LF without CR (RFC 5321 2.3.8).</summary>
    public const string BareLf = "bare_lf";

    /// <summary>A message's header block exceeds the header size limit; the rest is not parsed.</summary>
    public const string HeaderBlockTruncated = "header_block_truncated";

    /// <summary>A MAIL FROM command whose reverse-path can't be parsed.</summary>
    public const string BadMailFrom = "bad_mail_from";

    /// <summary>A RCPT TO command whose forward-path can't be parsed.</summary>
    public const string BadRcptTo = "bad_rcpt_to";

    /// <summary>More RCPT TO commands in one transaction than the recipient limit; later ones are dropped.</summary>
    public const string TooManyRecipients = "too_many_recipients";

    /// <summary>An envelope address longer than the address length limit; shortened.</summary>
    public const string AddressTooLong = "address_too_long";

    /// <summary>A BDAT command whose chunk size is missing or not a number (RFC 3030).</summary>
    public const string BdatBadSize = "bdat_bad_size";

    /// <summary>An empty command line.</summary>
    public const string EmptyCommand = "empty_command";

    /// <summary>A command verb that is not SMTP.</summary>
    public const string UnknownCommand = "unknown_command";

    /// <summary>More mail transactions in one session than the transaction limit; later ones are not reported.</summary>
    public const string TooManyTransactions = "too_many_transactions";

    /// <summary>More pipelined commands waiting for replies than the pending command limit (Zeek's smtp_excessive_pending_cmds).</summary>
    public const string ExcessivePendingCmds = "excessive_pending_cmds";

    /// <summary>A server reply line without a three-digit code.</summary>
    public const string BadReplyLine = "bad_reply_line";

    /// <summary>A multi-line reply whose lines carry different codes (RFC 5321 4.2.1).</summary>
    public const string ReplyCodeMismatch = "reply_code_mismatch";

    /// <summary>A server reply with no command waiting for it (other than the greeting or a 421).</summary>
    public const string ReplyWithoutCommand = "reply_without_command";

    /// <summary>Bytes of message content lost from the capture; the message is marked incomplete.</summary>
    public const string GapInData = "gap_in_data";

    /// <summary>Bytes lost from the client's command stream; the session resynchronises on the next command.</summary>
    public const string GapInCommands = "gap_in_commands";

    /// <summary>Bytes lost from the server's reply stream.</summary>
    public const string GapInReplies = "gap_in_replies";

    /// <summary>After STARTTLS and its 220 the session went on in cleartext (RFC 3207); it is still read as SMTP.</summary>
    public const string StartTlsNotFollowedByTls = "starttls_not_followed_by_tls";

    /// <summary>Every name of this stage with its description, in declaration order.</summary>
    public static IReadOnlyList<AnomalyDefinition> Table { get; } =
    [
        new(AnomalyStage.Smtp, LineTooLong, "A command or reply line longer than the line limit; the rest of the line is skipped."),
        new(AnomalyStage.Smtp, HeldBytesOverflow, "One direction waited on the other for more bytes than the hold limit; the held bytes are processed out of order."),
        new(AnomalyStage.Smtp, BareLf, "A line ending in LF without CR (RFC 5321 2.3.8)."),
        new(AnomalyStage.Smtp, HeaderBlockTruncated, "A message's header block exceeds the header size limit; the rest is not parsed."),
        new(AnomalyStage.Smtp, BadMailFrom, "A MAIL FROM command whose reverse-path can't be parsed."),
        new(AnomalyStage.Smtp, BadRcptTo, "A RCPT TO command whose forward-path can't be parsed."),
        new(AnomalyStage.Smtp, TooManyRecipients, "More RCPT TO commands in one transaction than the recipient limit; later ones are dropped."),
        new(AnomalyStage.Smtp, AddressTooLong, "An envelope address longer than the address length limit; shortened."),
        new(AnomalyStage.Smtp, BdatBadSize, "A BDAT command whose chunk size is missing or not a number (RFC 3030)."),
        new(AnomalyStage.Smtp, EmptyCommand, "An empty command line."),
        new(AnomalyStage.Smtp, UnknownCommand, "A command verb that is not SMTP."),
        new(AnomalyStage.Smtp, TooManyTransactions, "More mail transactions in one session than the transaction limit; later ones are not reported."),
        new(AnomalyStage.Smtp, ExcessivePendingCmds, "More pipelined commands waiting for replies than the pending command limit (Zeek's smtp_excessive_pending_cmds)."),
        new(AnomalyStage.Smtp, BadReplyLine, "A server reply line without a three-digit code."),
        new(AnomalyStage.Smtp, ReplyCodeMismatch, "A multi-line reply whose lines carry different codes (RFC 5321 4.2.1)."),
        new(AnomalyStage.Smtp, ReplyWithoutCommand, "A server reply with no command waiting for it (other than the greeting or a 421)."),
        new(AnomalyStage.Smtp, GapInData, "Bytes of message content lost from the capture; the message is marked incomplete."),
        new(AnomalyStage.Smtp, GapInCommands, "Bytes lost from the client's command stream; the session resynchronises on the next command."),
        new(AnomalyStage.Smtp, GapInReplies, "Bytes lost from the server's reply stream."),
        new(AnomalyStage.Smtp, StartTlsNotFollowedByTls, "After STARTTLS and its 220 the session went on in cleartext (RFC 3207); it is still read as SMTP."),
    ];
}
