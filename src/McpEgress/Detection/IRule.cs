using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>
/// A detection rule over the message model. Rules are stateless between messages and thread-safe; they append
/// zero or more alerts and never throw on message content.
/// </summary>
public interface IRule
{
    string Id { get; }
    string Name { get; }
    void Evaluate(MailMessage message, List<Alert> alerts);
}
