namespace McpEgress.Reassembly;

/// <summary>
/// What the protocol layer has learnt about whether a flow's bytes can still matter (see <see cref="TcpFlow.Keep"/>
/// and <see cref="TcpFlow.Bypass"/>). Capture uses it to choose which packets to drop first under load.
/// </summary>
public enum FlowVerdict : byte
{
    /// <summary>Nothing known yet: every flow starts here and is processed in full.</summary>
    Undecided = 0,

    /// <summary>The flow carries or may carry mail (SMTP, TLS or HTTP to a mail-API host, a proxy tunnel): keep it.</summary>
    Keep = 1,

    /// <summary>
    /// Nothing of the flow's remaining bytes can produce a message, an alert or a change to its TLS session event:
    /// only its sequence numbers, FIN/RST and idle time are tracked any more.
    /// </summary>
    Bypass = 2,

    /// <summary>
    /// Not known to carry mail and likely not to (TLS to a host that is no mail API), yet not bypassable (a key may
    /// still come, a proxy or a fronted call may hide behind the name): processed in full, but under load its packets
    /// are the first to be dropped.
    /// </summary>
    Expendable = 3,
}
