using McpEgress.Mail;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Routing;

/// <summary>
/// Optional hook called once when a flow opens (its first segment, normally the SYN): returns facts about the flow
/// known outside the packets: the local process that owns the socket. They are copied into every message's
/// <see cref="MailMessage.Process"/> and every TLS session record of that flow. Keeps protocol code free of host
/// knowledge (/proc lives behind the interface). Called on the pipeline thread; it should be cheap and must not throw
/// for ordinary failures (return null).
/// </summary>
public interface IFlowAnnotator
{
    ProcessFacts? Annotate(TcpFlow flow);
}
