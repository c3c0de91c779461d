using McpEgress.Mail;

namespace McpEgress.Detection;

/// <summary>Where detection's results go: each message with the alerts raised on it (the export stage implements it).</summary>
public interface IDetectionResultSink
{
    void OnMessage(MailMessage message, IReadOnlyList<Alert> alerts);
}
