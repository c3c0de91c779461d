namespace McpEgress.Detection;

/// <summary>Where in a message an offending address was found.</summary>
public enum RecipientRole
{
    To,
    Cc,
    Bcc,
    ResentTo,
    ResentCc,
    ResentBcc,
    /// <summary>An SMTP RCPT TO or an API envelope recipient (SES Destinations, Mailgun `to`).</summary>
    Envelope,
    ReplyTo,
    /// <summary>The alert is about the message, not one address (limit-exceeded).</summary>
    None,
}
