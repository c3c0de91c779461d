using McpEgress.Mail;

namespace McpEgress.Protocols.Routing;

/// <summary>Everything the protocol stage reports downstream: messages, and TLS sessions for visibility.</summary>
public interface IProtocolEventSink : IMailMessageSink
{
    void OnTlsSession(TlsSessionRecord record);
    void OnMailApiUnreadable(MailApiUnreadableRecord record);
}
