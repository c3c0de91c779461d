using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>One address a rule matched in a message: the address, where it was found, its domain, and the rule's sentence about it.</summary>
public sealed record AlertMatch(MailAddress Address, RecipientRole Role, string Domain, string Sentence);
