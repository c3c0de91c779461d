using McpEgress.Protocols.Http;
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
        if (direction == FlowDirection.ClientToServer) _http.OnClientData(data, timestampNs);
        else _http.OnServerData(data, timestampNs);
    }

    public void OnGap(FlowDirection direction, long missingBytes, long timestampNs) => _http.OnGap(direction, missingBytes, timestampNs);

    public void OnClose(long timestampNs) => _http.OnClose(timestampNs);

    public void OnRequest(HttpRequestRecord request) => _context.ReportHttpRequest(_session, request);
}
