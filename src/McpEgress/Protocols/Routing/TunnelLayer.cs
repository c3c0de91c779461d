using McpEgress.Diagnostics;
using McpEgress.Mail;
using McpEgress.Protocols.MailApis;
using McpEgress.Protocols.Tunnels;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Routing;

/// <summary>
/// A proxy tunnel (HTTP CONNECT, SOCKS4/4a/5): follows the handshake and, once the proxy granted it, dissects the
/// tunnelled bytes as a new stream — protocol probes, TLS with key logs, SMTP, HTTP — on the same flow, whose
/// <see cref="FlowSession.Tunnel"/> then names the target. A refused request leaves the connection to the proxy
/// open for the next one (a CONNECT after a 407 is probed again); an unfollowable handshake is an anomaly and the
/// rest of the flow is ignored.
/// </summary>
internal sealed class TunnelLayer : IStreamLayer
{
    private readonly ILayerContext _context;
    private readonly FlowSession _session;
    private TunnelHandshake? _handshake;
    private IStreamLayer? _next;
    private bool _dead;

    public TunnelLayer(ILayerContext context, FlowSession session, TunnelKind kind)
    {
        _context = context;
        _session = session;
        _handshake = new TunnelHandshake(kind, context.Settings.Tunnel);
        session.TunnelAttempts++;
    }

    public void OnData(FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs)
    {
        _session.CurrentTimestampNs = timestampNs;
        if (_next is not null) { _next.OnData(direction, data, timestampNs); return; }
        if (_dead || _handshake is null) return;
        _handshake.Feed(direction, data);
        switch (_handshake.Status)
        {
            case TunnelStatus.Established:
            {
                var h = _handshake;
                var target = h.Target!.Value;
                _session.Tunnel = new TunnelFacts(TunnelNames.Of(target.Kind), target.Host, target.Port, h.ClientAuthenticated);
                _context.ReportTunnel(_session, h.Kind, TunnelStatus.Established);
                if (MailApiHosts.IsMailApiHost(target.Host)) _context.ReportMailFlow(_session);
                // Inside the tunnel anything may run, TLS first of all (HTTPS through CONNECT).
                _next = new ProbingLayer(_context, _session, allowTls: true, allowTunnel: false);
                Replay(h, timestampNs);
                break;
            }
            case TunnelStatus.Rejected:
            {
                var h = _handshake;
                _context.ReportTunnel(_session, h.Kind, TunnelStatus.Rejected);
                if (_session.TunnelAttempts >= _context.Settings.Tunnel.MaxAttemptsPerConnection)
                {
                    _context.Anomalies.Report(AnomalyStage.Tunnel, TunnelAnomalies.TooManyTunnelAttempts);
                    Die();
                    break;
                }
                // The next request to the proxy (a CONNECT with credentials, or anything else) is probed afresh.
                _next = new ProbingLayer(_context, _session, allowTls: true, allowTunnel: true);
                Replay(h, timestampNs);
                break;
            }
            case TunnelStatus.Unfollowable:
                _context.Anomalies.Report(AnomalyStage.Tunnel, _handshake.Anomaly!);
                _context.ReportTunnel(_session, _handshake.Kind, TunnelStatus.Unfollowable);
                Die();
                break;
        }
    }

    /// <summary>Client bytes first: what is left of them was sent before the reply (early data) or with it.</summary>
    private void Replay(TunnelHandshake h, long timestampNs)
    {
        _handshake = null;
        var client = h.TakeLeftover(FlowDirection.ClientToServer);
        var server = h.TakeLeftover(FlowDirection.ServerToClient);
        if (client.Length > 0) _next!.OnData(FlowDirection.ClientToServer, client, timestampNs);
        if (server.Length > 0) _next!.OnData(FlowDirection.ServerToClient, server, timestampNs);
    }

    private void Die()
    {
        _dead = true;
        _handshake = null;
    }

    public void OnGap(FlowDirection direction, long missingBytes, long timestampNs)
    {
        if (_next is not null) { _next.OnGap(direction, missingBytes, timestampNs); return; }
        if (_dead) return;
        // A hole inside the handshake: the tunnel's start can't be found any more.
        _context.Anomalies.Report(AnomalyStage.Tunnel, TunnelAnomalies.TunnelHandshakeGap);
        Die();
    }

    public void OnClose(long timestampNs)
    {
        if (_next is not null) { _next.OnClose(timestampNs); return; }
        if (_handshake is { Status: TunnelStatus.InProgress, Target: not null })
            _context.ReportTunnel(_session, _handshake.Kind, TunnelStatus.InProgress); // asked, never answered
    }
}
