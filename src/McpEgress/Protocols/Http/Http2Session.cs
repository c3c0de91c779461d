using McpEgress.Diagnostics;
using McpEgress.Protocols.Http.Hpack;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Http;

/// <summary>
/// One HTTP/2 connection, both directions (RFC 7540). A request is HEADERS (+CONTINUATION) then DATA until END_STREAM;
/// the response's :status attaches to its stream. Each direction has its own HPACK decoder, whose table size limit is
/// the SETTINGS_HEADER_TABLE_SIZE advertised by the *other* side (the decoding side, §6.5.2). Any loss of HPACK state
/// (decoding error, gap, oversized or interrupted header block) is fatal for that direction (§4.3): we stop reading it.
/// Emission rule: see <see cref="IHttpExchangeHandler"/>.
/// </summary>
public sealed class Http2Session : IHttp2FrameSink
{
    private sealed class Stream
    {
        public required HttpRequestRecord Record;
        public required HttpBodyBuffer Body;
        public bool RequestDone;
        public bool ResponseSeen;
        /// <summary>A CONNECT stream: its DATA is tunnelled bytes, not a body (RFC 9113 §8.5).</summary>
        public bool Connect;
        /// <summary>The CONNECT got a 2xx: DATA goes to the handler as it comes.</summary>
        public bool TunnelOpen;
        public bool ClientEnded, ServerEnded;
        /// <summary>Client DATA sent before the reply, replayed into the tunnel once it opens (bounded).</summary>
        public List<byte[]>? EarlyData;
        public int EarlyBytes;
    }

    /// <summary>Header block being assembled from HEADERS/PUSH_PROMISE + CONTINUATION in one direction.</summary>
    private sealed class BlockAssembly
    {
        public byte[] Buffer = new byte[1024];
        public int Length;
        public bool Active;
        public int StreamId;
        public bool EndStream;
        public bool IsPushPromise;
        public long StartTs;
    }

    private readonly HttpOptions _options;
    private readonly IHttpExchangeHandler _handler;
    private readonly IAnomalySink _anomalies;
    private readonly Http2FrameReader _clientReader;
    private readonly Http2FrameReader _serverReader;
    private readonly HpackDecoder _clientDecoder;
    private readonly HpackDecoder _serverDecoder;
    private readonly BlockAssembly _clientBlock = new();
    private readonly BlockAssembly _serverBlock = new();
    private readonly Dictionary<int, Stream> _streams = new();
    private readonly List<KeyValuePair<string, string>> _fields = new();
    private int _lastClientStreamId;
    private bool _closed;
    private long _bufferedBodyBytes;

    public Http2Session(HttpOptions options, IHttpExchangeHandler handler, IAnomalySink anomalies)
    {
        _options = options;
        _handler = handler;
        _anomalies = anomalies;
        _clientReader = new Http2FrameReader(true, options, this, anomalies);
        _serverReader = new Http2FrameReader(false, options, this, anomalies);
        _clientDecoder = new HpackDecoder(options.MaxHpackTableSize, options.MaxHeaderBytes, options.MaxHeaderCount);
        _serverDecoder = new HpackDecoder(options.MaxHpackTableSize, options.MaxHeaderBytes, options.MaxHeaderCount);
    }

    /// <summary>Streams tracked (request seen, not yet emitted).</summary>
    public int OpenStreams => _streams.Count;

    /// <summary>Client→server HPACK decoder (exposed for tests and diagnostics).</summary>
    internal HpackDecoder ClientDecoder => _clientDecoder;

    public void OnClientData(ReadOnlySpan<byte> data, long timestampNs)
    {
        if (!_closed)
            _clientReader.Feed(data, timestampNs);
    }

    public void OnServerData(ReadOnlySpan<byte> data, long timestampNs)
    {
        if (!_closed)
            _serverReader.Feed(data, timestampNs);
    }

    /// <summary>HTTP/2 cannot resynchronise after lost bytes (framing and HPACK state are gone): the direction stops.</summary>
    public void OnGap(FlowDirection direction, long missingBytes, long timestampNs)
    {
        if (_closed)
            return;
        _anomalies.Report(AnomalyStage.Http, HttpAnomalies.Gap);
        KillDirection(direction == FlowDirection.ClientToServer);
    }

    public void OnClose(long timestampNs)
    {
        if (_closed)
            return;
        _closed = true;
        foreach (var id in _streams.Keys.Order().ToList())
            Emit(id);
    }

    /// <summary>Ends a CONNECT stream: closes its tunnel, or reports the refusal (status 0: no reply came).</summary>
    private void EndTunnel(int streamId, Stream s)
    {
        _streams.Remove(streamId);
        if (s.TunnelOpen) _handler.OnTunnelClose(streamId);
        else _handler.OnTunnelRefused(streamId, s.Record.Authority ?? "", s.Record.ResponseStatus);
    }

    private void KillDirection(bool client)
    {
        var reader = client ? _clientReader : _serverReader;
        if (reader.Dead)
            return;
        reader.Kill();
        if (client)
        {
            // No more request bytes will be understood: emit what we have.
            foreach (var id in _streams.Keys.Order().ToList())
                Emit(id);
        }
        else
        {
            // No status will arrive: emit finished requests now, the rest when they finish.
            foreach (var id in _streams.Keys.Order().ToList())
                if (_streams[id].RequestDone || _streams[id].Connect) // a tunnel can't go on one-way
                    Emit(id);
        }
    }

    void IHttp2FrameSink.OnBadPreface()
    {
        _anomalies.Report(AnomalyStage.Http, HttpAnomalies.BadPreface);
        KillDirection(true);
    }

    void IHttp2FrameSink.OnFrameSkipped(bool fromClient, Http2FrameHeader header)
    {
        if (header.Type is Http2Frame.Headers or Http2Frame.Continuation or Http2Frame.PushPromise)
        {
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.HpackStateLost);
            KillDirection(fromClient);
        }
    }

    void IHttp2FrameSink.OnData(bool fromClient, int streamId, ReadOnlySpan<byte> data)
    {
        if (!_streams.TryGetValue(streamId, out var s))
            return;
        if (s.Connect)
        {
            if (s.TunnelOpen)
                _handler.OnTunnelData(streamId, fromClient ? FlowDirection.ClientToServer : FlowDirection.ServerToClient, data);
            else if (fromClient && !data.IsEmpty)
            {
                if (s.EarlyBytes + data.Length > _options.MaxConnectEarlyDataBytes)
                {
                    _anomalies.Report(AnomalyStage.Http, HttpAnomalies.ConnectEarlyDataTooLong);
                    EndTunnel(streamId, s);
                    return;
                }
                (s.EarlyData ??= []).Add(data.ToArray());
                s.EarlyBytes += data.Length;
            }
            return;
        }
        if (fromClient && !s.RequestDone)
            Buffer(s.Body, data);
    }

    void IHttp2FrameSink.OnDataEnd(bool fromClient, int streamId, bool endStream)
    {
        var block = fromClient ? _clientBlock : _serverBlock;
        if (block.Active)
        {
            ContinuationExpected(fromClient);
            return;
        }
        if (endStream && _streams.TryGetValue(streamId, out var c) && c.Connect)
        {
            if (fromClient) c.ClientEnded = true;
            else c.ServerEnded = true;
            if (c.ClientEnded && c.ServerEnded) EndTunnel(streamId, c);
            return;
        }
        if (fromClient && endStream && _streams.TryGetValue(streamId, out var s))
        {
            s.RequestDone = true;
            TryEmit(streamId, s);
        }
    }

    void IHttp2FrameSink.OnFrame(bool fromClient, Http2FrameHeader h, ReadOnlySpan<byte> payload, long frameStartTs)
    {
        var block = fromClient ? _clientBlock : _serverBlock;
        if (block.Active && h.Type != Http2Frame.Continuation)
        {
            ContinuationExpected(fromClient);
            return;
        }
        switch (h.Type)
        {
            case Http2Frame.Headers:
                OnHeadersFrame(fromClient, h, payload, frameStartTs, block);
                break;
            case Http2Frame.PushPromise:
                OnPushPromise(fromClient, h, payload, frameStartTs, block);
                break;
            case Http2Frame.Continuation:
                if (!block.Active || h.StreamId != block.StreamId)
                {
                    ContinuationExpected(fromClient);
                    return;
                }
                AppendBlock(fromClient, block, payload, h.HasFlag(Http2Frame.FlagEndHeaders));
                break;
            case Http2Frame.Settings:
                OnSettings(fromClient, h, payload);
                break;
            case Http2Frame.RstStream:
                if (_streams.TryGetValue(h.StreamId, out var t) && t.Connect)
                {
                    EndTunnel(h.StreamId, t);
                    break;
                }
                if (_streams.TryGetValue(h.StreamId, out var s))
                {
                    s.Record.Incomplete |= !s.RequestDone;
                    Emit(h.StreamId);
                }
                break;
            // PRIORITY, PING, GOAWAY, WINDOW_UPDATE carry nothing we keep; unknown types are ignored (§4.1).
        }
    }

    private void ContinuationExpected(bool fromClient)
    {
        // §6.10: anything but CONTINUATION inside a header block is a connection error; the block is lost.
        _anomalies.Report(AnomalyStage.Http, HttpAnomalies.ContinuationExpected);
        (fromClient ? _clientBlock : _serverBlock).Active = false;
        KillDirection(fromClient);
    }

    private void OnSettings(bool fromClient, Http2FrameHeader h, ReadOnlySpan<byte> payload)
    {
        if (h.HasFlag(Http2Frame.FlagAck))
            return;
        if (payload.Length % 6 != 0)
        {
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.BadSettings);
            return;
        }
        // Settings describe what the sender can receive: they bound the *other* direction.
        var decoder = fromClient ? _serverDecoder : _clientDecoder;
        var reader = fromClient ? _serverReader : _clientReader;
        for (int i = 0; i < payload.Length; i += 6)
        {
            int id = (payload[i] << 8) | payload[i + 1];
            uint value = (uint)((payload[i + 2] << 24) | (payload[i + 3] << 16) | (payload[i + 4] << 8) | payload[i + 5]);
            if (id == Http2Frame.SettingHeaderTableSize)
            {
                if (value > (uint)_options.MaxHpackTableSize)
                {
                    _anomalies.Report(AnomalyStage.Http, HttpAnomalies.HpackTableSizeCapped);
                    value = (uint)_options.MaxHpackTableSize;
                }
                decoder.AllowedTableSize = (int)value;
            }
            else if (id == Http2Frame.SettingMaxFrameSize)
            {
                if (value < Http2Frame.DefaultMaxFrameSize || value > Http2Frame.MaxAllowedFrameSize)
                    _anomalies.Report(AnomalyStage.Http, HttpAnomalies.BadSettings);
                else
                    reader.PeerMaxFrameSize = (int)value;
            }
        }
    }

    /// <summary>Takes the Pad Length byte off a PADDED frame's payload (RFC 9113 §6.2, §6.6); false when it is missing.</summary>
    private static bool TryReadPadLength(Http2FrameHeader h, ref ReadOnlySpan<byte> fragment, out int padLength)
    {
        padLength = 0;
        if (!h.HasFlag(Http2Frame.FlagPadded)) return true;
        if (fragment.IsEmpty) return false;
        padLength = fragment[0];
        fragment = fragment[1..];
        return true;
    }

    private void OnHeadersFrame(bool fromClient, Http2FrameHeader h, ReadOnlySpan<byte> payload, long ts, BlockAssembly block)
    {
        var fragment = payload;
        if (!TryReadPadLength(h, ref fragment, out int padLength))
        {
            BadHeaderFrame(fromClient);
            return;
        }
        if (h.HasFlag(Http2Frame.FlagPriority))
        {
            if (fragment.Length < 5)
            {
                BadHeaderFrame(fromClient);
                return;
            }
            fragment = fragment[5..]; // stream dependency + weight (§6.2)
        }
        if (padLength > fragment.Length)
        {
            BadHeaderFrame(fromClient);
            return;
        }
        fragment = fragment[..^padLength];
        block.Active = true;
        block.Length = 0;
        block.StreamId = h.StreamId;
        block.EndStream = h.HasFlag(Http2Frame.FlagEndStream);
        block.IsPushPromise = false;
        block.StartTs = ts;
        AppendBlock(fromClient, block, fragment, h.HasFlag(Http2Frame.FlagEndHeaders));
    }

    private void OnPushPromise(bool fromClient, Http2FrameHeader h, ReadOnlySpan<byte> payload, long ts, BlockAssembly block)
    {
        if (fromClient)
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.PushPromiseFromClient);
        var fragment = payload;
        if (!TryReadPadLength(h, ref fragment, out int padLength))
        {
            BadHeaderFrame(fromClient);
            return;
        }
        if (fragment.Length < 4 + padLength)
        {
            BadHeaderFrame(fromClient);
            return;
        }
        // Promised stream id is ignored; the header block is decoded only to keep HPACK in sync (§6.6).
        fragment = fragment[4..^padLength];
        block.Active = true;
        block.Length = 0;
        block.StreamId = h.StreamId;
        block.EndStream = false;
        block.IsPushPromise = true;
        block.StartTs = ts;
        AppendBlock(fromClient, block, fragment, h.HasFlag(Http2Frame.FlagEndHeaders));
    }

    private void BadHeaderFrame(bool fromClient)
    {
        _anomalies.Report(AnomalyStage.Http, HttpAnomalies.BadPadding);
        _anomalies.Report(AnomalyStage.Http, HttpAnomalies.HpackStateLost);
        KillDirection(fromClient);
    }

    private void AppendBlock(bool fromClient, BlockAssembly block, ReadOnlySpan<byte> fragment, bool endHeaders)
    {
        if (block.Length + fragment.Length > _options.MaxHeaderBytes)
        {
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.HeaderSectionTooLarge);
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.HpackStateLost);
            block.Active = false;
            KillDirection(fromClient);
            return;
        }
        if (block.Buffer.Length < block.Length + fragment.Length)
            Array.Resize(ref block.Buffer, Math.Max(block.Length + fragment.Length, block.Buffer.Length * 2));
        fragment.CopyTo(block.Buffer.AsSpan(block.Length));
        block.Length += fragment.Length;
        if (!endHeaders)
            return;
        block.Active = false;

        var decoder = fromClient ? _clientDecoder : _serverDecoder;
        _fields.Clear();
        var error = decoder.Decode(block.Buffer.AsSpan(0, block.Length), _fields);
        if (error is not null)
        {
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.HpackDecodingError);
            KillDirection(fromClient);
            return;
        }
        if (decoder.SizeUpdateAboveSetting)
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.HpackTableSizeUpdateAboveSetting);
        if (decoder.ListTruncated)
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.HeaderSectionTooLarge);
        if (block.IsPushPromise)
            return;
        if (fromClient)
            OnRequestHeaders(block.StreamId, block.EndStream, block.StartTs);
        else
            OnResponseHeaders(block.StreamId);
    }

    private void OnRequestHeaders(int streamId, bool endStream, long ts)
    {
        if (_streams.TryGetValue(streamId, out var existing))
        {
            // Trailers (§8.1): not kept; they only end the request.
            if (endStream)
            {
                existing.RequestDone = true;
                TryEmit(streamId, existing);
            }
            return;
        }
        if (streamId <= _lastClientStreamId || (streamId & 1) == 0)
        {
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.HeadersOnClosedStream);
            return;
        }
        _lastClientStreamId = streamId;
        if (_streams.Count >= _options.MaxConcurrentStreams)
        {
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.TooManyStreams);
            return;
        }

        var record = new HttpRequestRecord { Version = "HTTP/2", StreamId = streamId, StartTimestampNs = ts };
        var kept = new List<KeyValuePair<string, string>>(_fields.Count);
        foreach (var (name, value) in _fields)
        {
            if (name.Length > 0 && name[0] == ':')
            {
                switch (name)
                {
                    case ":method": record.Method = value; break;
                    case ":path": record.Target = value; break;
                    case ":authority": record.Authority = value; break;
                    case ":scheme": record.Scheme = value; break;
                    default: _anomalies.Report(AnomalyStage.Http, HttpAnomalies.BadPseudoHeader); break;
                }
                continue;
            }
            kept.Add(new(name, HttpRedaction.RedactHeaderValue(name, value)));
            if (name == "host")
                record.Authority ??= value;
            else if (name == "content-type")
                record.ContentType ??= value;
            else if (name == "content-encoding")
                record.ContentEncoding = record.ContentEncoding is null ? value : record.ContentEncoding + ", " + value;
        }
        record.Headers = kept;
        if (record.Method == "CONNECT")
        {
            // RFC 9113 §8.5: :method CONNECT with :authority only (no :scheme, no :path) opens a tunnel. The extended
            // CONNECT of RFC 8441 (:protocol, websockets) is not a tunnel to a mail host and stays a request.
            if (record.Authority is null || record.Target.Length > 0 || record.Scheme is not null)
            {
                _anomalies.Report(AnomalyStage.Http, HttpAnomalies.BadConnectRequest);
                return;
            }
            _streams.Add(streamId, new Stream
            {
                Record = record, Body = new HttpBodyBuffer(0, 0), Connect = true, ClientEnded = endStream,
            });
            return;
        }
        var stream = new Stream { Record = record, Body = new HttpBodyBuffer(_options.MaxBodyBytes, HttpBodyBuffer.DeclaredLength(record)), RequestDone = endStream };
        _streams.Add(streamId, stream);
        TryEmit(streamId, stream);
    }

    private void OnResponseHeaders(int streamId)
    {
        if (!_streams.TryGetValue(streamId, out var s) || s.ResponseSeen)
            return; // pushed stream, trailers, or a stream already emitted
        foreach (var (name, value) in _fields)
        {
            if (name != ":status")
                continue;
            if (value.Length == 3 && int.TryParse(value, out int status))
            {
                if (status < 200)
                    return; // interim response (§8.1)
                s.Record.ResponseStatus = status;
                if (s.Connect)
                {
                    s.ResponseSeen = true;
                    if (status >= 300) { EndTunnel(streamId, s); return; }
                    s.TunnelOpen = true;
                    _handler.OnTunnelOpen(streamId, s.Record.Authority!);
                    if (s.EarlyData is { } early)
                    {
                        s.EarlyData = null;
                        foreach (var chunk in early) _handler.OnTunnelData(streamId, FlowDirection.ClientToServer, chunk);
                    }
                    return;
                }
                s.ResponseSeen = true;
                TryEmit(streamId, s);
            }
            else
            {
                _anomalies.Report(AnomalyStage.Http, HttpAnomalies.BadStatus);
            }
            return;
        }
        _anomalies.Report(AnomalyStage.Http, HttpAnomalies.MissingStatus);
    }

    private void Buffer(HttpBodyBuffer body, ReadOnlySpan<byte> data)
    {
        long budget = _options.MaxConnectionBodyBytes - _bufferedBodyBytes;
        if (data.Length > budget && !body.Truncated)
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.ConnectionBodyLimit);
        _bufferedBodyBytes += body.Append(data, budget);
    }

    private void TryEmit(int streamId, Stream s)
    {
        if (s.RequestDone && (s.ResponseSeen || _serverReader.Dead))
            Emit(streamId);
    }

    private void Emit(int streamId)
    {
        if (_streams.TryGetValue(streamId, out var tunnel) && tunnel.Connect)
        {
            EndTunnel(streamId, tunnel);
            return;
        }
        if (!_streams.Remove(streamId, out var s))
            return;
        var r = s.Record;
        if (!s.RequestDone)
        {
            r.Incomplete = true;
            r.BodyTruncated = true;
        }
        _bufferedBodyBytes -= s.Body.Length;
        r.BodyWireBytes = s.Body.Total;
        if (s.Body.Truncated)
        {
            r.BodyTruncated = true;
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.RequestBodyTruncated);
        }
        HttpBodyDecoder.DecodeInto(r, s.Body.Memory, _options, _anomalies);
        _handler.OnRequest(r);
    }
}
