using McpEgress.Detection;
using McpEgress.Mail;
using McpEgress.Protocols.Routing;

namespace McpEgress.Export;

/// <summary>Where the pipeline's results go: each message with its alerts, each TLS session, and each flow's summary.</summary>
public interface IEventOutput
{
    void OnMessage(MailMessage message, IReadOnlyList<Alert> alerts);

    /// <summary>
    /// Alerts about a message whose event was written earlier (<see cref="Alert.Deferred"/>): rules that waited for
    /// the sending process. Each names its message (<see cref="Alert.Mail"/>).
    /// </summary>
    void OnDeferredAlerts(IReadOnlyList<Alert> alerts);
    void OnTlsSession(TlsSessionRecord record);
    void OnMailApiUnreadable(MailApiUnreadableRecord record);
    /// <summary>A flow's destination was named, or the flow ended (per-process egress; not an event line by itself).</summary>
    void OnFlowSummary(FlowSummaryRecord record);
}
