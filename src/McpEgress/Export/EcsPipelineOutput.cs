using McpEgress.Detection;
using McpEgress.Mail;
using McpEgress.Protocols.Routing;

namespace McpEgress.Export;

/// <summary>Writes each message event followed by its alert events, and one event per TLS session.</summary>
public sealed class EcsPipelineOutput(EcsEventWriter writer) : IEventOutput
{
    public void OnMessage(MailMessage message, IReadOnlyList<Alert> alerts)
    {
        writer.WriteMessage(message);
        for (int i = 0; i < alerts.Count; i++) writer.WriteAlert(alerts[i]);
    }

    public void OnDeferredAlerts(IReadOnlyList<Alert> alerts)
    {
        for (int i = 0; i < alerts.Count; i++) writer.WriteAlert(alerts[i]);
    }

    public void OnTlsSession(TlsSessionRecord record) => writer.WriteTlsSession(record);

    public void OnMailApiUnreadable(MailApiUnreadableRecord record) => writer.WriteMailApiUnreadable(record);

    /// <summary>Flow summaries are no event lines (one per connection would drown the events); the daemon's egress tracker reads them.</summary>
    public void OnFlowSummary(FlowSummaryRecord record) { }
}
