namespace McpEgress.Protocols.Smtp;

/// <summary>A command waiting for its reply (RFC 2920: replies come back in command order).</summary>
internal struct SmtpPendingCommand
{
    public SmtpCommandKind Kind;
    public long Ts;
    /// <summary>
    /// The transaction the client built this command on, assuming every earlier command was accepted (for MAIL: the
    /// new one it opens). The server's reply decides whether it is the one that holds the command's effect.
    /// </summary>
    public SmtpTransactionBuilder? Tx;
    /// <summary>BDAT ... LAST.</summary>
    public bool Last;
    /// <summary>AUTH mechanism name, EHLO/HELO host, RCPT TO address: applied when the reply comes.</summary>
    public string? Argument;
    /// <summary>AUTH got 334: the server now waits for the client's response line.</summary>
    public bool AwaitingClient;
    /// <summary>The outcome was assumed (held-bytes limit, gap, close) before the reply was seen.</summary>
    public bool Assumed;
}
