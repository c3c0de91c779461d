using McpEgress.Detection;
using McpEgress.Mail;
using McpEgress.Protocols.Routing;

namespace McpEgress.Export;

/// <summary>Where the pipeline's results go: each message with its alerts, and each TLS session.</summary>
public interface IEventOutput
{
    void OnMessage(MailMessage message, IReadOnlyList<Alert> alerts);
    void OnTlsSession(TlsSessionRecord record);
    void OnMailApiUnreadable(MailApiUnreadableRecord record);
}
