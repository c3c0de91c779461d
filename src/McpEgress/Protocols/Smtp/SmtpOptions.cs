namespace McpEgress.Protocols.Smtp;

/// <summary>Limits for one <see cref="SmtpSession"/>. Every limit is enforced before the bytes it guards are kept.</summary>
public sealed class SmtpOptions
{
    /// <summary>
    /// Longest command or reply line kept (default 8192; RFC 5321 §4.5.3.1 allows 512 for commands, but
    /// extensions and sloppy clients go further). Longer lines are counted (<c>line_too_long</c>) and skipped to the next LF.
    /// </summary>
    public int MaxLineBytes { get; init; } = 8192;

    /// <summary>Commands waiting for a reply (default 128, like Zeek's smtp_excessive_pending_cmds). Beyond it the oldest is dropped.</summary>
    public int MaxPendingCommands { get; init; } = 128;

    /// <summary>
    /// RCPT TO kept per transaction (default 1000, as Zeek). Further recipients are not kept, but their domains are
    /// (<see cref="McpEgress.Mail.CutRecipients"/>), and the message says it was cut, so the rules still see them.
    /// </summary>
    public int MaxRecipientsPerTransaction { get; init; } = 1000;

    /// <summary>
    /// Longest envelope address kept (default 1024 characters; RFC 5321 §4.5.3.1.3 allows 256 for a path). A longer one
    /// is shortened with its domain kept (<see cref="McpEgress.Mail.AddressText.KeepDomain"/>) and the message says so.
    /// </summary>
    public int MaxAddressChars { get; init; } = 1024;

    /// <summary>Header block bytes kept per message (default 256 KiB). The rest of the message is only counted.</summary>
    public int MaxHeaderBytes { get; init; } = 256 * 1024;

    /// <summary>
    /// Transactions per session whose headers are parsed (default 10000). Later ones are still emitted with their
    /// envelope (MAIL FROM, RCPT TO), marked cut by this limit, so a recipient in transaction 10,001 is still judged.
    /// </summary>
    public int MaxTransactionsPerSession { get; init; } = 10_000;

    /// <summary>
    /// Bytes of one direction held while its meaning waits on the other direction (client bytes after DATA,
    /// STARTTLS or AUTH before the reply is seen; server replies before their command is seen). Default 64 KiB.
    /// When exceeded the session stops waiting and assumes the usual outcome (DATA accepted, STARTTLS accepted).
    /// </summary>
    public int MaxHeldBytes { get; init; } = 64 * 1024;

    /// <summary>EHLO keywords kept (default 64), each cut to <see cref="MaxCapabilityChars"/> characters.</summary>
    public int MaxCapabilities { get; init; } = 64;

    /// <summary>Longest EHLO keyword kept (RFC 5321 §4.1.1.1 keywords are short; a longer one is cut).</summary>
    public const int MaxCapabilityChars = 64;

    /// <summary>Longest EHLO/HELO argument or banner host kept: a domain name has at most 255 octets (RFC 1035 §2.3.4).</summary>
    public const int MaxHostChars = 255;

    public static SmtpOptions Default { get; } = new();
}
