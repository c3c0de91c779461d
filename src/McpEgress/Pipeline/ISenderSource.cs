using McpEgress.Mail;

namespace McpEgress.Pipeline;

/// <summary>
/// Where the sending process of a flow comes from when it arrives after the flow's messages (live attribution off the
/// packet path): asked by <see cref="DeferredSenderRules"/> on the pipeline thread.
/// </summary>
public interface ISenderSource
{
    /// <summary>The state of flow <paramref name="flowId"/>'s lookup; <paramref name="process"/> when <see cref="SenderState.Known"/>.</summary>
    SenderState Find(long flowId, out ProcessFacts? process);
}
