namespace McpEgress.Mail;

/// <summary>Why a recipient counts as hidden.</summary>
public enum HiddenReason
{
    /// <summary>Listed in a Bcc (or Resent-Bcc) header, or an API's bcc field.</summary>
    BccField,
    /// <summary>An accepted envelope recipient (SMTP RCPT TO, API envelope list) that no To/Cc/Resent header shows.</summary>
    EnvelopeOnly,
}
