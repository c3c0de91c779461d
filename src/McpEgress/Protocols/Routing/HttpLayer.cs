using McpEgress.Mail;
using McpEgress.Protocols.Http;
using McpEgress.Protocols.Tunnels;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Routing;

/// <summary>Runs HTTP/1.1 or HTTP/2 (chosen by content and ALPN) on a flow and reports each request.</summary>
internal sealed class HttpLayer : IStreamLayer, IHttpExchangeHandler
{
    private readonly ILayerContext _context;
    private readonly FlowSession _session;
    private readonly HttpConnection _http;

    public HttpLayer(ILayerContext context, FlowSession session)
    {
        _context = context;
        _session = session;
        _http = new HttpConnection(context.Settings.Http, this, context.Anomalies, session.Alpn);
    }

    public void OnData(FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs)
    {
        _session.CurrentTimestampNs = timestampNs;
        if (direction == FlowDirection.ClientToServer) _http.OnClientData(data, timestampNs);
        else _http.OnServerData(data, timestampNs);
    }

    public void OnGap(FlowDirection direction, long missingBytes, long timestampNs) => _http.OnGap(direction, missingBytes, timestampNs);

    public void OnClose(long timestampNs) => _http.OnClose(timestampNs);

    public void OnRequest(HttpRequestRecord request) => _context.ReportHttpRequest(_session, request);

    // The mail-API extraction reads the body during the call; messages and records keep strings, never the body.
    public bool ReadsBodyOnlyDuringCall => true;

    // HTTP/2 CONNECT tunnels (RFC 9113 §8.5): each open one is a stream of its own on this flow, with a session of its
    // own (its TLS, SNI and tunnel target), dissected like the bytes after an HTTP/1.1 CONNECT (see TunnelLayer).
    private Dictionary<int, FlowSession>? _tunnels;

    public void OnTunnelOpen(int streamId, string authority)
    {
        if (!TunnelHandshake.TryParseAuthority(authority, out var host, out int port))
        {
            _context.Anomalies.Report(Diagnostics.AnomalyStage.Tunnel, TunnelAnomalies.TunnelBadConnectRequest);
            return;
        }
        var inner = new FlowSession(_session.Flow)
        {
            SharesFlow = true,
            Process = _session.Process,
            Tunnel = new TunnelFacts(TunnelNames.Of(TunnelKind.HttpConnect), host, port, ProxyAuthenticated: false),
            CurrentTimestampNs = _session.CurrentTimestampNs,
        };
        inner.Root = new ProbingLayer(_context, inner, allowTls: true, allowTunnel: false);
        (_tunnels ??= [])[streamId] = inner;
        _context.ReportTunnel(inner, TunnelKind.HttpConnect, TunnelStatus.Established);
    }

    public void OnTunnelData(int streamId, FlowDirection direction, ReadOnlySpan<byte> data)
    {
        if (_tunnels is null || !_tunnels.TryGetValue(streamId, out var inner)) return;
        inner.CurrentTimestampNs = _session.CurrentTimestampNs;
        inner.Root.OnData(direction, data, _session.CurrentTimestampNs);
    }

    public void OnTunnelClose(int streamId)
    {
        if (_tunnels is null || !_tunnels.Remove(streamId, out var inner)) return;
        inner.Root.OnClose(_session.CurrentTimestampNs);
    }

    public void OnTunnelRefused(int streamId, string authority, int status) =>
        _context.ReportTunnel(_session, TunnelKind.HttpConnect, status == 0 ? TunnelStatus.InProgress : TunnelStatus.Rejected);
}
