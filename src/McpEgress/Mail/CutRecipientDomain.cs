namespace McpEgress.Mail;

/// <summary>
/// The domain of recipients a limit cut from a message: how many, and whether any of them could be hidden (an envelope
/// or Bcc recipient; a cut To/Cc recipient is visible by definition).
/// </summary>
public sealed record CutRecipientDomain(string Domain, long Count, bool MayBeHidden);
