using System.Text;
using McpEgress.Diagnostics;

namespace McpEgress.Protocols.Http;

/// <summary>
/// Resumable reader of one direction of an HTTP/1.x connection: start line, header section (obs-fold and bare LF
/// tolerated, RFC 7230 §3.2.4/§3.5), then the body framed as the session decides (Content-Length, chunked with
/// extensions and trailers, until close). Lines are assembled in one bounded buffer, so a cut anywhere resumes
/// cleanly. After a gap or unframeable head it resynchronises at the next line that looks like a start line.
/// </summary>
internal sealed class Http1MessageReader
{
    private enum State : byte { StartLine, Headers, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, UntilClose, Stopped }

    private readonly bool _fromClient;
    private readonly HttpOptions _options;
    private readonly IHttp1MessageSink _sink;
    private readonly IAnomalySink _anomalies;
    private byte[] _line;
    private int _lineLen;
    private const int InitialLineBytes = 512;
    private bool _lineOverflow;
    private long _lineStartTs;

    private State _state = State.StartLine;
    private bool _resyncing;
    private long _remaining;
    private int _sectionBytes;
    private string _startLine = "";
    private long _messageStartTs;
    // The head being read. A request's list goes to the sink with the head, so the next request starts a new one, sized
    // for as many fields as the last had; a response's list (framing fields only) is reused.
    private List<KeyValuePair<string, string>>? _headers;
    private int _nextHeaderCapacity;
    [ThreadStatic] private static int t_lastRequestFields;
    private int _droppedHeaders;
    // Fields of this head so far, kept or not (a response keeps only its framing fields), and whether the last
    // field line was kept (an obs-fold line continues it).
    private int _headerCount;
    private bool _lastKept;

    public Http1MessageReader(bool fromClient, HttpOptions options, IHttp1MessageSink sink, IAnomalySink anomalies)
    {
        _fromClient = fromClient;
        _options = options;
        _sink = sink;
        _anomalies = anomalies;
        // Only a line cut between two Feed calls is copied here (whole lines are read in place): made on the first such
        // cut and grown on demand up to the limits, so a connection whose lines arrive whole never has one.
        _line = [];
        // Sized for a usual request head at once (a response keeps only its framing fields), not grown through 4 and 8:
        // as many fields as the last request read on this thread had (the same clients send the same heads), else 16.
        _nextHeaderCapacity = fromClient ? (t_lastRequestFields > 0 ? t_lastRequestFields : 16) : 2;
    }

    public bool Stopped => _state == State.Stopped;

    /// <summary>Looking for the next start line after a gap or an unframeable message.</summary>
    public bool Resyncing => _state == State.StartLine && _resyncing;

    /// <summary>True between the start line and the end of the message.</summary>
    public bool InMessage => _state is not (State.StartLine or State.UntilClose or State.Stopped);

    public void Stop() => _state = State.Stopped;

    public void Feed(ReadOnlySpan<byte> data, long ts)
    {
        while (!data.IsEmpty)
        {
            switch (_state)
            {
                case State.Stopped:
                    return;
                case State.UntilClose:
                    _sink.OnBody(_fromClient, data);
                    return;
                case State.Body:
                case State.ChunkData:
                {
                    int n = (int)Math.Min(_remaining, data.Length);
                    _sink.OnBody(_fromClient, data[..n]);
                    data = data[n..];
                    _remaining -= n;
                    if (_remaining == 0)
                    {
                        if (_state == State.Body)
                            EndMessage(true);
                        else
                            _state = State.ChunkDataEnd;
                    }
                    break;
                }
                default:
                {
                    int lf = data.IndexOf((byte)'\n');
                    if (lf >= 0 && _lineLen == 0 && !_lineOverflow
                        && lf < (_state == State.ChunkSize ? _options.MaxChunkLineBytes : _options.MaxHeaderBytes))
                    {
                        // The whole line is in this data (the usual case): read it where it is, as the copy below would.
                        _lineStartTs = ts;
                        if (_state is State.Headers or State.Trailers)
                            _sectionBytes += lf + 1;
                        var whole = data[..(lf + 1)];
                        data = data[(lf + 1)..];
                        OnLine(TrimEol(whole));
                        break;
                    }
                    var piece = lf < 0 ? data : data[..(lf + 1)];
                    if (_lineLen == 0 && !_lineOverflow)
                        _lineStartTs = ts;
                    int limit = _state == State.ChunkSize ? _options.MaxChunkLineBytes : _options.MaxHeaderBytes;
                    if (!_lineOverflow)
                    {
                        if (_lineLen + piece.Length <= limit)
                        {
                            if (_lineLen + piece.Length > _line.Length)
                                Array.Resize(ref _line, Math.Min(Math.Max(Math.Max(_line.Length * 2, InitialLineBytes), _lineLen + piece.Length), Math.Max(limit, _line.Length)));
                            piece.CopyTo(_line.AsSpan(_lineLen));
                            _lineLen += piece.Length;
                        }
                        else
                        {
                            _lineOverflow = true;
                        }
                    }
                    if (_state is State.Headers or State.Trailers)
                        _sectionBytes += piece.Length;
                    data = data[piece.Length..];
                    if (lf < 0)
                    {
                        if (_lineOverflow && !_resyncing)
                            LineTooLong();
                        break;
                    }
                    bool overflow = _lineOverflow;
                    var line = TrimEol(_line.AsSpan(0, _lineLen));
                    _lineLen = 0;
                    _lineOverflow = false;
                    if (overflow)
                    {
                        if (!_resyncing)
                            LineTooLong();
                        break;
                    }
                    OnLine(line);
                    break;
                }
            }
        }
    }

    private void LineTooLong()
    {
        _anomalies.Report(AnomalyStage.Http, _state == State.ChunkSize ? HttpAnomalies.BadChunkSize : HttpAnomalies.HeaderSectionTooLarge);
        Resync(complete: false);
    }

    /// <summary>
    /// <paramref name="missing"/> bytes of this direction were lost. Inside a body of known length the framing survives
    /// (we skip the hole); anywhere else we drop the message and look for the next start line.
    /// </summary>
    public void OnGap(long missing)
    {
        switch (_state)
        {
            case State.Stopped:
            case State.UntilClose:
                return;
            case State.Body when missing < _remaining:
            case State.ChunkData when missing < _remaining:
                _remaining -= missing;
                _sink.OnBodyHole(_fromClient, missing);
                return;
            case State.StartLine:
                _lineLen = 0;
                _lineOverflow = false;
                _resyncing = true;
                return;
            default:
                if (InBody)
                    _sink.OnBodyHole(_fromClient, missing);
                Resync(complete: false);
                return;
        }
    }

    public void OnClose()
    {
        if (_state is State.Stopped)
            return;
        if (InBody)
        {
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.MessageIncompleteAtClose);
            EndMessage(false);
        }
        else if (_state == State.Headers)
        {
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.MessageIncompleteAtClose);
        }
        else if (_state == State.UntilClose)
        {
            EndMessage(true);
        }
        _state = State.Stopped;
    }

    /// <summary>The head was handed to the sink and the message has not ended yet.</summary>
    private bool InBody => _state is State.Body or State.ChunkSize or State.ChunkData or State.ChunkDataEnd or State.Trailers;

    private void Resync(bool complete)
    {
        if (InBody)
            EndMessage(complete);
        _state = State.StartLine;
        _resyncing = true;
        _lineLen = 0;
        _lineOverflow = false;
    }

    private static ReadOnlySpan<byte> TrimEol(ReadOnlySpan<byte> line)
    {
        if (line.Length > 0 && line[^1] == '\n')
            line = line[..^1];
        if (line.Length > 0 && line[^1] == '\r')
            line = line[..^1];
        return line;
    }

    private void OnLine(ReadOnlySpan<byte> line)
    {
        switch (_state)
        {
            case State.StartLine:
                if (line.IsEmpty)
                    return; // RFC 7230 §3.5: ignore empty lines before the request line.
                if (!(_fromClient ? HttpProbe.LooksLikeRequestLine(line) : LooksLikeStatusLine(line)))
                {
                    if (!_resyncing)
                    {
                        _anomalies.Report(AnomalyStage.Http, _fromClient ? HttpAnomalies.BadRequestLine : HttpAnomalies.BadStatusLine);
                        _resyncing = true;
                    }
                    return;
                }
                _resyncing = false;
                _startLine = Encoding.Latin1.GetString(line);
                _messageStartTs = _lineStartTs;
                if (_headers is null) _headers = new(_nextHeaderCapacity);
                else _headers.Clear();
                _droppedHeaders = 0;
                _headerCount = 0;
                _lastKept = false;
                _sectionBytes = line.Length + 2;
                _state = State.Headers;
                return;

            case State.Headers:
            case State.Trailers:
                if (line.IsEmpty)
                {
                    if (_state == State.Trailers)
                        EndMessage(true);
                    else
                        HeadDone();
                    return;
                }
                if (_sectionBytes > _options.MaxHeaderBytes)
                {
                    _anomalies.Report(AnomalyStage.Http, HttpAnomalies.HeaderSectionTooLarge);
                    Resync(complete: false);
                    return;
                }
                if (_state == State.Headers)
                    AddHeaderLine(line);
                return;

            case State.ChunkSize:
                if (!TryParseChunkSize(line, out long size))
                {
                    _anomalies.Report(AnomalyStage.Http, HttpAnomalies.BadChunkSize);
                    Resync(complete: false);
                    return;
                }
                if (size == 0)
                {
                    _state = State.Trailers;
                    _sectionBytes = 0;
                }
                else
                {
                    _remaining = size;
                    _state = State.ChunkData;
                }
                return;

            case State.ChunkDataEnd:
                if (!line.IsEmpty)
                {
                    _anomalies.Report(AnomalyStage.Http, HttpAnomalies.BadChunkTerminator);
                    Resync(complete: false);
                    return;
                }
                _state = State.ChunkSize;
                return;
        }
    }

    private void AddHeaderLine(ReadOnlySpan<byte> line)
    {
        if (line[0] is (byte)' ' or (byte)'\t')
        {
            // obs-fold (RFC 7230 §3.2.4): continuation of the previous field value, replaced by one space.
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.ObsFold);
            if (_lastKept && _droppedHeaders == 0)
            {
                var last = _headers![^1];
                _headers[^1] = new(last.Key, last.Value + " " + Encoding.Latin1.GetString(line.Trim((byte)' ').Trim((byte)'\t')));
            }
            return;
        }
        int colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.BadHeaderLine);
            return;
        }
        if (_headerCount >= _options.MaxHeaderCount)
        {
            _lastKept = false;
            if (_droppedHeaders++ == 0)
                _anomalies.Report(AnomalyStage.Http, HttpAnomalies.TooManyHeaders);
            return;
        }
        _headerCount++;
        var name = line[..colon].TrimEnd((byte)' ');
        // A response's head only frames its body (the session reads nothing else of it): no strings for the rest.
        _lastKept = _fromClient || Ascii.EqualsIgnoreCase(name, "content-length"u8) || Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8);
        if (!_lastKept)
            return;
        var value = line[(colon + 1)..].Trim((byte)' ').Trim((byte)'\t');
        string n = HeaderStrings.Name(name);
        _headers!.Add(new(n, HeaderStrings.Value(n, value)));
    }

    private void HeadDone()
    {
        var headers = _headers!;
        if (_fromClient)
        {
            // The request keeps its list (IHttp1MessageSink): the next head gets its own, right-sized.
            _headers = null;
            _nextHeaderCapacity = Math.Max(1, headers.Count);
            t_lastRequestFields = _nextHeaderCapacity;
        }
        var mode = _sink.OnHead(_fromClient, _startLine, headers, _messageStartTs, out long length);
        switch (mode)
        {
            case Http1BodyMode.None:
                EndMessage(true);
                break;
            case Http1BodyMode.ContentLength when length == 0:
                EndMessage(true);
                break;
            case Http1BodyMode.ContentLength:
                _remaining = length;
                _state = State.Body;
                break;
            case Http1BodyMode.Chunked:
                _state = State.ChunkSize;
                break;
            case Http1BodyMode.UntilClose:
                _state = State.UntilClose;
                break;
            case Http1BodyMode.Stop:
                _state = State.Stopped;
                break;
            default:
                _sink.OnMessageEnd(_fromClient, false);
                _state = State.StartLine;
                _resyncing = true;
                break;
        }
    }

    private void EndMessage(bool complete)
    {
        _state = State.StartLine;
        _sink.OnMessageEnd(_fromClient, complete);
    }

    /// <summary>chunk-size [ chunk-ext ] (RFC 7230 §4.1); whitespace before ';' tolerated.</summary>
    private static bool TryParseChunkSize(ReadOnlySpan<byte> line, out long size)
    {
        size = 0;
        int i = 0;
        while (i < line.Length && char.IsAsciiHexDigit((char)line[i]))
        {
            if (size > (long.MaxValue >> 5))
                return false;
            size = size * 16 + HexValue(line[i]);
            i++;
        }
        if (i == 0)
            return false;
        while (i < line.Length && line[i] is (byte)' ' or (byte)'\t')
            i++;
        return i == line.Length || line[i] == (byte)';';
    }

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    /// <summary>HTTP/1.x SP 3DIGIT (RFC 7230 §3.1.2); the reason phrase may be empty or missing.</summary>
    internal static bool LooksLikeStatusLine(ReadOnlySpan<byte> line) =>
        line.Length >= 12 && line.StartsWith("HTTP/1."u8) && char.IsAsciiDigit((char)line[7]) && line[8] == ' '
        && char.IsAsciiDigit((char)line[9]) && char.IsAsciiDigit((char)line[10]) && char.IsAsciiDigit((char)line[11])
        && (line.Length == 12 || line[12] == ' ');
}
