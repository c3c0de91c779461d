using McpEgress.Detection;
using McpEgress.Mail;

namespace McpEgress.Export;

/// <summary>Writes each message event followed by its alert events.</summary>
public sealed class EcsPipelineOutput(EcsEventWriter writer) : IDetectionResultSink
{
    public void OnMessage(MailMessage message, IReadOnlyList<Alert> alerts)
    {
        writer.WriteMessage(message);
        foreach (var alert in alerts) writer.WriteAlert(alert);
    }
}
