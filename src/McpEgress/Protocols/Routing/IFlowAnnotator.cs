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
    /// <summary>Facts known now; null when none (yet: an annotator may look them up later and hand them in with
    /// <see cref="ProtocolRouter.SetProcess"/>).</summary>
    ProcessFacts? Annotate(TcpFlow flow);

    /// <summary>
    /// The flow turned out to carry mail (SMTP, TLS to a mail-API host, a proxy tunnel to one, or a message was read
    /// from it): an annotator that works through a queue may look it up ahead of other flows. Called at most once per
    /// flow, on the pipeline thread.
    /// </summary>
    void OnMailFlow(TcpFlow flow) { }
}
