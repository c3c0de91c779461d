using McpEgress.Detection;
using McpEgress.Mail;

namespace McpEgress.Pipeline;

/// <summary>Where the pipeline delivers each message with the alerts raised on it.</summary>
public interface IPipelineOutput
{
    void OnMessage(MailMessage message, IReadOnlyList<Alert> alerts);
}
