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

    /// <summary>
    /// The rule judges the sending process (<see cref="MailMessage.Process"/>): when attribution is still on its way, it
    /// runs once the sender is known, or known to be unknown (<see cref="DetectionEngine.Evaluate(MailMessage, RuleSelection)"/>).
    /// </summary>
    bool NeedsSender => false;
    void Evaluate(MailMessage message, List<Alert> alerts);
}
