using McpEgress.Detection;
using McpEgress.Mail;
using McpEgress.Protocols.Routing;

namespace McpEgress.Export;

/// <summary>Where the pipeline's results go: each message with its alerts, each TLS session, and each flow's summary.</summary>
public interface IEventOutput
{
    void OnMessage(MailMessage message, IReadOnlyList<Alert> alerts);
    void OnTlsSession(TlsSessionRecord record);
    void OnMailApiUnreadable(MailApiUnreadableRecord record);
    /// <summary>A flow's destination was named, or the flow ended (per-process egress; not an event line by itself).</summary>
    void OnFlowSummary(FlowSummaryRecord record);
}
