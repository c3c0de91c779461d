using Tunnels = McpEgress.Protocols.Tunnels;

namespace McpEgress.Protocols.Routing;

/// <summary>What the protocol stage has found so far, for the replay summary and tests. Pipeline thread only.</summary>
public sealed class ProtocolCounters
{
    public long SmtpFlows { get; internal set; }
    public long TlsFlows { get; internal set; }
    public long HttpFlows { get; internal set; }
    public long UnidentifiedFlows { get; internal set; }
    /// <summary>Flows whose remaining bytes were bypassed (see <see cref="ProtocolOptions.FlowBypass"/>).</summary>
    public long BypassedFlows { get; internal set; }

    private readonly long[] _tunnels = new long[4 * 4];

    /// <summary>Tunnel requests by kind and outcome (InProgress at close: asked, never answered).</summary>
    public long Tunnels(Tunnels.TunnelKind kind, Tunnels.TunnelStatus status) => _tunnels[(int)kind * 4 + (int)status];

    internal void CountTunnel(Tunnels.TunnelKind kind, Tunnels.TunnelStatus status)
    {
        _tunnels[(int)kind * 4 + (int)status]++;
        TunnelRequests++;
    }

    /// <summary>Tunnel requests answered or ended, of every kind (HTTP/1.1 and HTTP/2 CONNECT, SOCKS).</summary>
    public long TunnelRequests { get; private set; }
    public long Messages { get; internal set; }
    public long HttpRequests { get; internal set; }

    /// <summary>The counters of several pipelines' routers (workers) added up.</summary>
    public static ProtocolCounters Sum(IEnumerable<ProtocolCounters> parts)
    {
        var sum = new ProtocolCounters();
        foreach (var p in parts)
        {
            sum.SmtpFlows += p.SmtpFlows;
            sum.TlsFlows += p.TlsFlows;
            sum.HttpFlows += p.HttpFlows;
            sum.UnidentifiedFlows += p.UnidentifiedFlows;
            for (int i = 0; i < sum._tunnels.Length; i++) sum._tunnels[i] += p._tunnels[i];
            sum.TunnelRequests += p.TunnelRequests;
            sum.Messages += p.Messages;
            sum.HttpRequests += p.HttpRequests;
            sum.MailApiUnreadable += p.MailApiUnreadable;
            sum.BypassedFlows += p.BypassedFlows;
        }
        return sum;
    }

    /// <summary>Send-like calls to a known mail API whose payload could not be read (<see cref="MailApiUnreadableRecord"/>).</summary>
    public long MailApiUnreadable { get; internal set; }
}
