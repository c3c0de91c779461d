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
        foreach (var alert in alerts) writer.WriteAlert(alert);
    }

    public void OnDeferredAlerts(IReadOnlyList<Alert> alerts)
    {
        foreach (var alert in alerts) writer.WriteAlert(alert);
    }

    public void OnTlsSession(TlsSessionRecord record) => writer.WriteTlsSession(record);

    public void OnMailApiUnreadable(MailApiUnreadableRecord record) => writer.WriteMailApiUnreadable(record);

    /// <summary>Flow summaries are no event lines (one per connection would drown the events); the daemon's egress tracker reads them.</summary>
    public void OnFlowSummary(FlowSummaryRecord record) { }
}
