namespace McpEgress.Mail;

/// <summary>
/// A limit that cut part of a message: which limit (its config key, e.g.
/// <c>limits.smtp.max_recipients_per_transaction</c>), how many items it cut, and what those items were. The message is
/// still emitted; the domains of cut recipients are still known (<see cref="MailMessage.CutRecipients"/>).
/// </summary>
public sealed record MessageTruncation(string Limit, long ItemsCut, string What);
