namespace McpEgress.Mail;

/// <summary>One RCPT TO with the server's answer. Only accepted (2xx) recipients are in the envelope.</summary>
public sealed record EnvelopeRecipient(string Address, int ReplyCode)
{
    /// <summary>No reply was seen (capture cut, gap): counted as accepted, because the message may still have gone.</summary>
    public const int NoReply = 0;

    public bool Accepted => ReplyCode is NoReply or (>= 200 and < 300);
}
