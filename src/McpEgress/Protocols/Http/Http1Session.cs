using McpEgress.Diagnostics;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Http;

/// <summary>
/// One HTTP/1.x connection, both directions. Requests (with decoded bodies) are matched FIFO to response heads
/// (pipelining and keep-alive, RFC 7230 §6.3.2); response bodies are framed only to find the next response and are not
/// kept. Interim 1xx responses (100-continue) don't complete an exchange. A 101 upgrade or a CONNECT stops parsing.
/// Emission rule: see <see cref="IHttpExchangeHandler"/>.
/// </summary>
public sealed class Http1Session : IHttp1MessageSink
{
    private sealed class Pending
    {
        public required HttpRequestRecord Record;
        public required HttpBodyBuffer Body;
        public bool BodyDone;
        public bool ResponseSeen;
        public bool IsHead;
        public bool IsConnect;
        public bool WantsUpgrade;
    }

    private readonly HttpOptions _options;
    private readonly IHttpExchangeHandler _handler;
    private readonly IAnomalySink _anomalies;
    private readonly Http1MessageReader _client;
    private readonly Http1MessageReader _server;
    private readonly List<Pending> _pending = new(1); // one request in flight at a time, unless pipelined
    private Pending? _current;
    private int _skipResponses;
    private bool _closed;
    private long _bufferedBodyBytes;

    public Http1Session(HttpOptions options, IHttpExchangeHandler handler, IAnomalySink anomalies)
    {
        _options = options;
        _handler = handler;
        _anomalies = anomalies;
        _client = new Http1MessageReader(true, options, this, anomalies);
        _server = new Http1MessageReader(false, options, this, anomalies);
    }

    /// <summary>Parsing stopped for good (upgrade, CONNECT tunnel, or closed).</summary>
    public bool Stopped => _closed || (_client.Stopped && _server.Stopped);

    public void OnClientData(ReadOnlySpan<byte> data, long timestampNs)
    {
        if (!_closed)
            _client.Feed(data, timestampNs);
    }

    public void OnServerData(ReadOnlySpan<byte> data, long timestampNs)
    {
        if (!_closed)
            _server.Feed(data, timestampNs);
    }

    /// <summary><paramref name="missingBytes"/> bytes of one direction were lost (see <see cref="ITcpStreamHandler.OnGap"/>).</summary>
    public void OnGap(FlowDirection direction, long missingBytes, long timestampNs)
    {
        if (_closed)
            return;
        _anomalies.Report(AnomalyStage.Http, HttpAnomalies.Gap);
        if (direction == FlowDirection.ClientToServer)
        {
            _client.OnGap(missingBytes);
            if (_client.Resyncing)
            {
                // Whole requests may be gone: FIFO matching can't be trusted, so flush what we hold and skip the
                // responses we know are still owed to them.
                foreach (var p in _pending)
                    if (!p.ResponseSeen)
                        _skipResponses++;
                FlushAll();
            }
        }
        else
        {
            _server.OnGap(missingBytes);
            if (_server.Resyncing)
            {
                // Responses may be gone: requests already sent are emitted without a status.
                _skipResponses = 0;
                while (_pending.Count > 0 && _pending[0].BodyDone)
                    Emit(0);
            }
        }
    }

    public void OnClose(long timestampNs)
    {
        if (_closed)
            return;
        _client.OnClose();
        _server.OnClose();
        FlushAll();
        _closed = true;
    }

    private void FlushAll()
    {
        while (_pending.Count > 0)
            Emit(0);
        _current = null;
    }

    Http1BodyMode IHttp1MessageSink.OnHead(bool fromClient, string startLine, List<KeyValuePair<string, string>> headers, long startTs, out long contentLength) =>
        fromClient ? OnRequestHead(startLine, headers, startTs, out contentLength) : OnResponseHead(startLine, headers, out contentLength);

    private Http1BodyMode OnRequestHead(string startLine, List<KeyValuePair<string, string>> headers, long startTs, out long contentLength)
    {
        contentLength = 0;
        int sp1 = startLine.IndexOf(' ');
        int sp2 = startLine.LastIndexOf(' ');
        var record = new HttpRequestRecord
        {
            Method = startLine.AsSpan(0, sp1) switch { "POST" => "POST", "GET" => "GET", "PUT" => "PUT", var m => m.ToString() },
            Target = startLine[(sp1 + 1)..sp2],
            Version = startLine.AsSpan(sp2 + 1) switch { "HTTP/1.1" => "HTTP/1.1", "HTTP/1.0" => "HTTP/1.0", var v => v.ToString() },
            StartTimestampNs = startTs,
        };
        bool wantsUpgrade = false;
        // The reader's list is the record's (IHttp1MessageSink): credentials redacted in place, nothing copied. Only
        // framing is read from it below, which redaction leaves alone.
        for (int i = 0; i < headers.Count; i++)
        {
            var (name, value) = headers[i];
            var redacted = HttpRedaction.RedactHeaderValue(name, value);
            if (!ReferenceEquals(redacted, value)) headers[i] = new(name, redacted);
            if (name.Equals("host", StringComparison.OrdinalIgnoreCase))
                record.Authority ??= value;
            else if (name.Equals("content-type", StringComparison.OrdinalIgnoreCase))
                record.ContentType ??= value;
            else if (name.Equals("content-encoding", StringComparison.OrdinalIgnoreCase))
                record.ContentEncoding = record.ContentEncoding is null ? value : record.ContentEncoding + ", " + value;
            else if (name.Equals("upgrade", StringComparison.OrdinalIgnoreCase))
                wantsUpgrade = true;
        }
        record.Headers = headers;
        // An origin-form target ("/email") is no absolute URI with a scheme (Uri would make it a file path): not parsed.
        if (!record.Target.StartsWith('/') && Uri.TryCreate(record.Target, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            // absolute-form (RFC 7230 §5.3.2), as sent to proxies.
            record.Scheme = uri.Scheme;
            record.Authority ??= uri.Authority;
        }

        var pending = new Pending
        {
            Record = record,
            Body = new HttpBodyBuffer(_options.MaxBodyBytes, HttpBodyBuffer.DeclaredLength(record), _handler.ReadsBodyOnlyDuringCall),
            IsHead = record.Method == "HEAD",
            IsConnect = record.Method == "CONNECT",
            WantsUpgrade = wantsUpgrade,
        };
        if (_pending.Count >= _options.MaxPendingRequests)
        {
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.TooManyPendingRequests);
            if (!_pending[0].ResponseSeen)
                _skipResponses++;
            Emit(0);
        }
        _pending.Add(pending);
        _current = pending;

        if (pending.IsConnect)
        {
            // The bytes after a CONNECT are a tunnel (usually TLS), not HTTP/1.
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.ConnectTunnel);
            return Http1BodyMode.Stop;
        }
        return FrameBody(headers, out contentLength);
    }

    /// <summary>RFC 7230 §3.3.3: Transfer-Encoding wins over Content-Length; conflicting lengths can't be framed.</summary>
    private Http1BodyMode FrameBody(List<KeyValuePair<string, string>> headers, out long contentLength)
    {
        contentLength = -1;
        string? te = null;
        bool badLength = false;
        foreach (var (name, value) in headers)
        {
            if (name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase))
            {
                te = value;
            }
            else if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var range in value.AsSpan().Split(','))
                {
                    var part = value.AsSpan(range).Trim();
                    if (!long.TryParse(part, System.Globalization.NumberStyles.None, null, out long n) || (contentLength >= 0 && n != contentLength))
                        badLength = true;
                    else
                        contentLength = n;
                }
            }
        }
        if (te is not null)
        {
            if (contentLength >= 0 || badLength)
                _anomalies.Report(AnomalyStage.Http, HttpAnomalies.ContentLengthWithTransferEncoding);
            contentLength = 0;
            var last = te.AsSpan(te.LastIndexOf(',') + 1).Trim();
            if (last.Equals("chunked", StringComparison.OrdinalIgnoreCase))
                return Http1BodyMode.Chunked;
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.BadTransferEncoding);
            return Http1BodyMode.UntilClose;
        }
        if (badLength)
        {
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.BadContentLength);
            contentLength = 0;
            return Http1BodyMode.Resync;
        }
        if (contentLength < 0)
        {
            contentLength = 0;
            return Http1BodyMode.None;
        }
        return Http1BodyMode.ContentLength;
    }

    private Http1BodyMode OnResponseHead(string startLine, List<KeyValuePair<string, string>> headers, out long contentLength)
    {
        contentLength = 0;
        int status = (startLine[9] - '0') * 100 + (startLine[10] - '0') * 10 + (startLine[11] - '0');
        Pending? req = null;
        foreach (var p in _pending)
        {
            if (!p.ResponseSeen)
            {
                req = p;
                break;
            }
        }

        if (status is >= 100 and < 200)
        {
            if (status != 101)
                return Http1BodyMode.None; // interim (100-continue, 103): the final response follows.
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.ProtocolUpgrade);
            if (req is not null)
            {
                req.ResponseSeen = true;
                req.Record.ResponseStatus = 101;
                TryEmit();
            }
            _client.Stop();
            return Http1BodyMode.Stop;
        }

        if (_skipResponses > 0)
        {
            _skipResponses--;
            req = null;
        }
        else if (req is null)
        {
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.ResponseWithoutRequest);
        }
        else
        {
            req.ResponseSeen = true;
            req.Record.ResponseStatus = status;
        }
        bool isHead = req?.IsHead ?? false;
        bool tunnel = req is { IsConnect: true } && status is >= 200 and < 300;
        TryEmit();

        if (tunnel)
            return Http1BodyMode.Stop;
        if (isHead || status is 204 or 304)
            return Http1BodyMode.None;
        var mode = FrameBody(headers, out contentLength);
        // A response without length framing runs to the close (RFC 7230 §3.3.3 item 7).
        return mode is Http1BodyMode.None or Http1BodyMode.Resync ? Http1BodyMode.UntilClose : mode;
    }

    void IHttp1MessageSink.OnBody(bool fromClient, ReadOnlySpan<byte> data)
    {
        if (fromClient && _current is not null)
            Buffer(_current.Body, data);
    }

    void IHttp1MessageSink.OnBodyHole(bool fromClient, long missing)
    {
        if (fromClient && _current is not null)
        {
            _current.Body.MarkHole(missing);
            _current.Record.Incomplete = true;
        }
    }

    void IHttp1MessageSink.OnMessageEnd(bool fromClient, bool complete)
    {
        if (!fromClient || _current is null)
            return;
        _current.BodyDone = true;
        if (!complete)
        {
            _current.Record.Incomplete = true;
            _current.Record.BodyTruncated = true;
        }
        _current = null;
        TryEmit();
    }

    private void Buffer(HttpBodyBuffer body, ReadOnlySpan<byte> data)
    {
        long budget = _options.MaxConnectionBodyBytes - _bufferedBodyBytes;
        if (data.Length > budget && !body.Truncated)
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.ConnectionBodyLimit);
        _bufferedBodyBytes += body.Append(data, budget);
    }

    private void TryEmit()
    {
        while (_pending.Count > 0 && _pending[0].BodyDone && _pending[0].ResponseSeen)
            Emit(0);
    }

    private void Emit(int index)
    {
        var p = _pending[index];
        _pending.RemoveAt(index);
        if (ReferenceEquals(p, _current))
        {
            // Still receiving its body (eviction, close): what we have is what we emit.
            p.Record.Incomplete = true;
            p.Record.BodyTruncated = true;
            _current = null;
        }
        var r = p.Record;
        _bufferedBodyBytes -= p.Body.Length;
        r.BodyWireBytes = p.Body.Total;
        if (p.Body.Truncated)
        {
            r.BodyTruncated = true;
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.RequestBodyTruncated);
        }
        HttpBodyDecoder.DecodeInto(r, p.Body.Memory, _options, _anomalies);
        _handler.OnRequest(r);
        if (_handler.ReadsBodyOnlyDuringCall)
        {
            r.Body = default; // the buffer goes back to the pool: nothing may read it through the record
            p.Body.Release();
        }
    }
}
