using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>One finding of one rule about one address of one message.</summary>
public sealed class Alert
{
    public Alert(string ruleId, string ruleName, Severity severity, string message, MailMessage mail,
        MailAddress address, RecipientRole role, string domain)
    {
        RuleId = ruleId;
        RuleName = ruleName;
        Severity = severity;
        Message = message;
        Mail = mail;
        Address = address;
        Role = role;
        Domain = domain;
    }

    public string RuleId { get; }
    public string RuleName { get; }
    public Severity Severity { get; }
    /// <summary>A human sentence naming the address and its domain.</summary>
    public string Message { get; }
    /// <summary>The message the alert is about.</summary>
    public MailMessage Mail { get; }
    /// <summary>The offending address.</summary>
    public MailAddress Address { get; }
    public RecipientRole Role { get; }
    /// <summary>The offending address's domain, lower case, as written (Unicode IDNs stay Unicode).</summary>
    public string Domain { get; }

    public override string ToString() => $"[{Severity}] {RuleId}: {Message}";
}
