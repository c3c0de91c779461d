namespace McpEgress.Mail;

public readonly record struct HiddenRecipient(MailAddress Address, HiddenReason Reason);
