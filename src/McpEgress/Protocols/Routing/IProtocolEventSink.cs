using McpEgress.Mail;

namespace McpEgress.Protocols.Routing;

/// <summary>Everything the protocol stage reports downstream: messages, TLS sessions for visibility, and a summary of every flow.</summary>
public interface IProtocolEventSink : IMailMessageSink
{
    void OnTlsSession(TlsSessionRecord record);
    void OnMailApiUnreadable(MailApiUnreadableRecord record);
    /// <summary>A flow's destination was named (SNI, Host) while it is open, or the flow ended: see <see cref="FlowSummaryRecord"/>.</summary>
    void OnFlowSummary(FlowSummaryRecord record);
}
