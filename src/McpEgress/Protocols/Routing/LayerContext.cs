using McpEgress.Diagnostics;
using McpEgress.Protocols.Http;
using McpEgress.Protocols.Smtp;
using McpEgress.Protocols.Tls;
using McpEgress.Protocols.Tunnels;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Routing;

/// <summary>
/// The <see cref="ILayerContext"/> every layer of the router's flows shares: builds the layer a probe or STARTTLS
/// switches to (counting flows by protocol), passes reports to the router's event output and waiting TLS flows to
/// the parking lot.
/// </summary>
internal sealed class LayerContext : ILayerContext
{
    private readonly ProtocolCounters _counters;
    private readonly TlsParkingLot _parking;
    private readonly ProtocolRouter _output;

    public LayerContext(ProtocolSettings settings, TlsKeyLog keyLog, IAnomalySink anomalies, ProtocolCounters counters,
        TlsParkingLot parking, ProtocolRouter output)
    {
        Settings = settings;
        KeyLog = keyLog;
        Anomalies = anomalies;
        _counters = counters;
        _parking = parking;
        _output = output;
    }

    public ProtocolSettings Settings { get; }
    public TlsKeyLog KeyLog { get; }
    public IAnomalySink Anomalies { get; }

    public IStreamLayer? Probe(FlowSession session, ReadOnlySpan<byte> client, ReadOnlySpan<byte> server, bool allowTls,
        bool allowTunnel, out ProbeResult result, out string? protocol)
    {
        // A tunnel request first: `CONNECT ` would otherwise read as an HTTP request to the proxy.
        var tunnelKind = TunnelKind.HttpConnect;
        var tunnel = allowTunnel ? TunnelHandshake.Probe(client, out tunnelKind) : ProbeResult.NoMatch;
        if (tunnel == ProbeResult.Match)
        {
            Keep(session); // a proxy may carry mail to anyone
            protocol = "tunnel";
            result = ProbeResult.Match;
            return new TunnelLayer(this, session, tunnelKind);
        }
        var smtp = SmtpProbe.Probe(client, server);
        if (smtp == ProbeResult.NoMatch && session.Flow.PickedUpMidStream && !session.InsideTls)
            smtp = SmtpProbe.ProbeMidStream(client, server);
        var tls = allowTls ? TlsProbe.Probe(client) : ProbeResult.NoMatch;
        var http = HttpProbe.Probe(client);
        protocol = null;
        result = ProbeResult.Match;
        if (smtp == ProbeResult.Match)
        {
            Keep(session);
            _counters.SmtpFlows++;
            protocol = "smtp";
            ReportMailFlow(session);
            return new SmtpLayer(this, session);
        }
        if (tls == ProbeResult.Match)
        {
            _counters.TlsFlows++;
            protocol = "tls";
            return new TlsLayer(this, session, startTls: false);
        }
        if (http == ProbeResult.Match)
        {
            _counters.HttpFlows++;
            protocol = "http";
            return new HttpLayer(this, session);
        }
        result = smtp == ProbeResult.NeedMore || tls == ProbeResult.NeedMore || http == ProbeResult.NeedMore || tunnel == ProbeResult.NeedMore
            ? ProbeResult.NeedMore : ProbeResult.NoMatch;
        return null;
    }

    public IStreamLayer StartTls(FlowSession session)
    {
        _counters.TlsFlows++;
        return new TlsLayer(this, session, startTls: true);
    }

    public void ReportMailFlow(FlowSession session) => _output.ReportMailFlow(session);

    public void ReportUnidentified(FlowSession session) => _counters.UnidentifiedFlows++;

    public void Keep(FlowSession session) => session.Flow.Keep();

    public void MarkExpendable(FlowSession session) => session.Flow.MarkExpendable();

    public bool Bypass(FlowSession session)
    {
        if (!Settings.Protocol.FlowBypass || session.Flow.Verdict == FlowVerdict.Bypass) return false;
        session.Flow.Bypass();
        _counters.BypassedFlows++;
        return true;
    }

    public void ReportTunnel(FlowSession session, TunnelKind kind, TunnelStatus status) => _counters.CountTunnel(kind, status);

    public void ReportSmtpTransaction(FlowSession session, SmtpTransaction transaction, string? bannerHost) =>
        _output.EmitSmtpTransaction(session, transaction, bannerHost);

    public void ReportHttpRequest(FlowSession session, HttpRequestRecord request) =>
        _output.EmitHttpRequest(session, request);

    public void ReportTlsSession(FlowSession session, TlsSessionInfo info, string? applicationProtocol, bool startTls,
        long endTimestampNs) =>
        _output.EmitTlsSession(session, info, applicationProtocol, startTls, endTimestampNs);

    public bool WaitForKeys(IParkedTlsFlow flow) => _parking.TryPark(flow);
}
