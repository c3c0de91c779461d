using McpEgress.Protocols.Http;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Routing;

/// <summary>Runs HTTP/1.1 or HTTP/2 (chosen by content and ALPN) on a flow and hands each request to the router.</summary>
internal sealed class HttpLayer : IStreamLayer, IHttpExchangeHandler
{
    private readonly ProtocolRouter _router;
    private readonly FlowSession _session;
    private readonly HttpConnection _http;

    public HttpLayer(ProtocolRouter router, FlowSession session)
    {
        _router = router;
        _session = session;
        _http = new HttpConnection(router.Settings.Http, this, router.Anomalies, session.Alpn);
    }

    public void OnData(FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs)
    {
        if (direction == FlowDirection.ClientToServer) _http.OnClientData(data, timestampNs);
        else _http.OnServerData(data, timestampNs);
    }

    public void OnGap(FlowDirection direction, long missingBytes, long timestampNs) => _http.OnGap(direction, missingBytes, timestampNs);

    public void OnClose(long timestampNs) => _http.OnClose(timestampNs);

    public void OnRequest(HttpRequestRecord request) => _router.EmitHttpRequest(_session, request);
}
