namespace McpEgress.Pipeline;

/// <summary>Limits of the <see cref="FlowBypassTable"/> that lets live capture shed bypassed flows before the queue.</summary>
public sealed class FlowBypassOptions
{
    /// <summary>
    /// Slots of the table (a power of two; rounded up). Each holds one flow whose verdict is known (bypassed, or to keep
    /// under load), 64 bytes apiece: the default 65 536 is 4 MiB, as many as the reassembler's default flow table.
    /// A flow that finds no slot is simply not shed at capture (the reassembler still skips its bytes).
    /// </summary>
    public int Slots { get; init; } = 65_536;

    /// <summary>Slots looked at from a key's home slot (linear probing) before the table counts as full for it. Default 16.</summary>
    public int MaxProbe { get; init; } = 16;

    /// <summary>
    /// A shed flow still sends one packet through now and then (packet time), besides every SYN, FIN and RST, so the
    /// reassembler sees it alive (no idle timeout) and its sequence numbers move on. Default 1 s.
    /// </summary>
    public TimeSpan ForwardInterval { get; init; } = TimeSpan.FromSeconds(1);
}
