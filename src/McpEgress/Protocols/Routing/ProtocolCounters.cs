namespace McpEgress.Protocols.Routing;

/// <summary>What the protocol stage has found so far, for the replay summary and tests. Pipeline thread only.</summary>
public sealed class ProtocolCounters
{
    public long SmtpFlows { get; internal set; }
    public long TlsFlows { get; internal set; }
    public long HttpFlows { get; internal set; }
    public long UnidentifiedFlows { get; internal set; }
    public long Messages { get; internal set; }
    public long HttpRequests { get; internal set; }

    /// <summary>Send-like calls to a known mail API whose payload could not be read (<see cref="MailApiUnreadableRecord"/>).</summary>
    public long MailApiUnreadable { get; internal set; }
}
