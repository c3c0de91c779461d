namespace McpEgress.Protocols.Smtp;

/// <summary>A command waiting for its reply (RFC 2920: replies come back in command order).</summary>
internal struct SmtpPendingCommand
{
    public SmtpCommandKind Kind;
    public long Ts;
    public SmtpTransactionBuilder? Tx;
    public int RcptIndex;
    /// <summary>BDAT ... LAST.</summary>
    public bool Last;
    /// <summary>AUTH mechanism name.</summary>
    public string? Mechanism;
    /// <summary>AUTH got 334: the server now waits for the client's response line.</summary>
    public bool AwaitingClient;
    /// <summary>The outcome was assumed (held-bytes limit, gap, close) before the reply was seen.</summary>
    public bool Assumed;
}
