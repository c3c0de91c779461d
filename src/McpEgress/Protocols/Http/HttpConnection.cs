using McpEgress.Diagnostics;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Http;

/// <summary>
/// One HTTP connection whose version is picked from its content: the HTTP/2 client preface selects
/// <see cref="Http2Session"/>, anything else <see cref="Http1Session"/> (which resynchronises on junk). When the caller
/// knows the ALPN protocol it can say so and skip the wait. Bytes that arrive before the choice (at most the preface
/// length from the client, a bounded amount from the server) are held and replayed.
/// </summary>
public sealed class HttpConnection
{
    private readonly HttpOptions _options;
    private readonly IHttpExchangeHandler _handler;
    private readonly IAnomalySink _anomalies;
    private Http1Session? _h1;
    private Http2Session? _h2;
    private byte[] _heldClient = [];
    private byte[] _heldServer = [];
    private long _heldClientTs;
    private long _heldServerTs;

    /// <param name="alpn">Negotiated ALPN protocol if known ("h2", "http/1.1"), else null to decide by content.</param>
    public HttpConnection(HttpOptions options, IHttpExchangeHandler handler, IAnomalySink anomalies, string? alpn = null)
    {
        _options = options;
        _handler = handler;
        _anomalies = anomalies;
        if (alpn == "h2")
            _h2 = new Http2Session(options, handler, anomalies);
        else if (alpn is "http/1.1" or "http/1.0")
            _h1 = new Http1Session(options, handler, anomalies);
    }

    /// <summary>"HTTP/2", "HTTP/1", or null while undecided.</summary>
    public string? Version => _h2 is not null ? "HTTP/2" : _h1 is not null ? "HTTP/1" : null;

    public void OnClientData(ReadOnlySpan<byte> data, long timestampNs)
    {
        if (Decided)
        {
            ForwardClient(data, timestampNs);
            return;
        }
        if (_heldClient.Length == 0)
        {
            // The first bytes usually decide on their own (a request line, or the whole preface): then no copy.
            var first = HttpProbe.IsHttp2Preface(data);
            if (first != ProbeResult.NeedMore)
            {
                if (first == ProbeResult.Match)
                    _h2 = new Http2Session(_options, _handler, _anomalies);
                else
                    _h1 = new Http1Session(_options, _handler, _anomalies);
                ForwardClient(data, timestampNs); // client first, as Replay does
                Replay();
                return;
            }
            _heldClientTs = timestampNs;
        }
        _heldClient = [.. _heldClient, .. data];
        var probe = HttpProbe.IsHttp2Preface(_heldClient);
        if (probe == ProbeResult.NeedMore)
            return;
        if (probe == ProbeResult.Match)
            _h2 = new Http2Session(_options, _handler, _anomalies);
        else
            _h1 = new Http1Session(_options, _handler, _anomalies);
        Replay();
    }

    public void OnServerData(ReadOnlySpan<byte> data, long timestampNs)
    {
        if (Decided)
        {
            ForwardServer(data, timestampNs);
            return;
        }
        if (_heldServer.Length + data.Length > _options.MaxHeaderBytes)
        {
            // The server talks first and a lot: not an HTTP/2 server waiting for a preface.
            _h1 = new Http1Session(_options, _handler, _anomalies);
            Replay();
            ForwardServer(data, timestampNs);
            return;
        }
        if (_heldServer.Length == 0)
            _heldServerTs = timestampNs;
        _heldServer = [.. _heldServer, .. data];
    }

    public void OnGap(FlowDirection direction, long missingBytes, long timestampNs)
    {
        if (!Decided)
        {
            _h1 = new Http1Session(_options, _handler, _anomalies);
            Replay();
        }
        if (_h2 is not null)
            _h2.OnGap(direction, missingBytes, timestampNs);
        else
            _h1!.OnGap(direction, missingBytes, timestampNs);
    }

    public void OnClose(long timestampNs)
    {
        if (!Decided)
        {
            if (_heldClient.Length == 0 && _heldServer.Length == 0)
                return;
            _h1 = new Http1Session(_options, _handler, _anomalies);
            Replay();
        }
        if (_h2 is not null)
            _h2.OnClose(timestampNs);
        else
            _h1!.OnClose(timestampNs);
    }

    private bool Decided => _h1 is not null || _h2 is not null;

    private void Replay()
    {
        // Client first: a server never answers before the request it answers.
        if (_heldClient.Length > 0)
            ForwardClient(_heldClient, _heldClientTs);
        if (_heldServer.Length > 0)
            ForwardServer(_heldServer, _heldServerTs);
        _heldClient = [];
        _heldServer = [];
    }

    private void ForwardClient(ReadOnlySpan<byte> data, long ts)
    {
        if (_h2 is not null)
            _h2.OnClientData(data, ts);
        else
            _h1!.OnClientData(data, ts);
    }

    private void ForwardServer(ReadOnlySpan<byte> data, long ts)
    {
        if (_h2 is not null)
            _h2.OnServerData(data, ts);
        else
            _h1!.OnServerData(data, ts);
    }
}
