using McpEgress.Diagnostics;

namespace McpEgress.Protocols.Http;

/// <summary>
/// Resumable reader of HTTP/2 frames for one direction (RFC 7540 §4). The client side first checks the connection
/// preface (§3.5). DATA payloads are streamed (padding stripped, §6.1); other payloads are buffered up to
/// <see cref="HttpOptions.MaxFrameBytes"/>, larger ones skipped. Frames above the receiver's SETTINGS_MAX_FRAME_SIZE are
/// reported but still read (loose by default).
/// </summary>
internal sealed class Http2FrameReader
{
    private enum State : byte { Preface, Header, Payload, Skip, DataPadLength, DataBody, DataPadding, Dead }

    private readonly bool _fromClient;
    private readonly HttpOptions _options;
    private readonly IHttp2FrameSink _sink;
    private readonly IAnomalySink _anomalies;
    private readonly byte[] _header = new byte[Http2FrameHeader.Size];
    private int _headerLen;
    private byte[] _payload = new byte[1024];
    private int _payloadLen;
    private Http2FrameHeader _frame;
    private long _frameStartTs;
    private long _remaining;
    private int _padLength;
    private int _prefaceMatched;
    private State _state;

    public Http2FrameReader(bool fromClient, HttpOptions options, IHttp2FrameSink sink, IAnomalySink anomalies)
    {
        _fromClient = fromClient;
        _options = options;
        _sink = sink;
        _anomalies = anomalies;
        _state = fromClient ? State.Preface : State.Header;
    }

    /// <summary>SETTINGS_MAX_FRAME_SIZE advertised by the receiver of this direction.</summary>
    public int PeerMaxFrameSize { get; set; } = Http2Frame.DefaultMaxFrameSize;

    public bool Dead => _state == State.Dead;

    /// <summary>Stop reading this direction for good (HPACK state lost, gap, protocol error).</summary>
    public void Kill() => _state = State.Dead;

    public void Feed(ReadOnlySpan<byte> data, long ts)
    {
        while (!data.IsEmpty)
        {
            switch (_state)
            {
                case State.Dead:
                    return;

                case State.Preface:
                {
                    var preface = HttpProbe.Http2Preface;
                    int n = Math.Min(data.Length, preface.Length - _prefaceMatched);
                    if (!data[..n].SequenceEqual(preface.Slice(_prefaceMatched, n)))
                    {
                        _state = State.Dead;
                        _sink.OnBadPreface();
                        return;
                    }
                    _prefaceMatched += n;
                    data = data[n..];
                    if (_prefaceMatched == preface.Length)
                        _state = State.Header;
                    break;
                }

                case State.Header:
                {
                    if (_headerLen == 0)
                        _frameStartTs = ts;
                    int n = Math.Min(data.Length, Http2FrameHeader.Size - _headerLen);
                    data[..n].CopyTo(_header.AsSpan(_headerLen));
                    _headerLen += n;
                    data = data[n..];
                    if (_headerLen == Http2FrameHeader.Size)
                    {
                        _headerLen = 0;
                        StartFrame();
                    }
                    break;
                }

                case State.Payload:
                {
                    int n = (int)Math.Min(data.Length, _remaining);
                    data[..n].CopyTo(_payload.AsSpan(_payloadLen));
                    _payloadLen += n;
                    _remaining -= n;
                    data = data[n..];
                    if (_remaining == 0)
                        FinishBufferedFrame();
                    break;
                }

                case State.Skip:
                {
                    int n = (int)Math.Min(data.Length, _remaining);
                    _remaining -= n;
                    data = data[n..];
                    if (_remaining == 0)
                        _state = State.Header;
                    break;
                }

                case State.DataPadLength:
                    _padLength = data[0];
                    data = data[1..];
                    _remaining = _frame.Length - 1 - _padLength;
                    if (_remaining < 0)
                    {
                        // §6.1: padding longer than the payload is a connection error; we only lose this frame's data.
                        _anomalies.Report(AnomalyStage.Http, HttpAnomalies.BadPadding);
                        _padLength = _frame.Length - 1;
                        _remaining = 0;
                    }
                    AfterDataBytes();
                    break;

                case State.DataBody:
                {
                    int n = (int)Math.Min(data.Length, _remaining);
                    _sink.OnData(_fromClient, _frame.StreamId, data[..n]);
                    _remaining -= n;
                    data = data[n..];
                    AfterDataBytes();
                    break;
                }

                case State.DataPadding:
                {
                    int n = (int)Math.Min(data.Length, _remaining);
                    _remaining -= n;
                    data = data[n..];
                    if (_remaining == 0)
                        EndData();
                    break;
                }
            }
        }
    }

    private void StartFrame()
    {
        var h = _header;
        int length = (h[0] << 16) | (h[1] << 8) | h[2];
        int streamId = ((h[5] & 0x7f) << 24) | (h[6] << 16) | (h[7] << 8) | h[8];
        _frame = new Http2FrameHeader(length, h[3], h[4], streamId);
        if (length > PeerMaxFrameSize)
            _anomalies.Report(AnomalyStage.Http, HttpAnomalies.FrameTooLarge);

        if (_frame.Type == Http2Frame.Data)
        {
            if (_frame.HasFlag(Http2Frame.FlagPadded) && length > 0)
            {
                _state = State.DataPadLength;
                return;
            }
            _padLength = 0;
            _remaining = length;
            AfterDataBytes();
            return;
        }

        if (length > _options.MaxFrameBytes)
        {
            if (length <= PeerMaxFrameSize)
                _anomalies.Report(AnomalyStage.Http, HttpAnomalies.FrameTooLarge);
            _sink.OnFrameSkipped(_fromClient, _frame);
            _remaining = length;
            _state = _state == State.Dead ? State.Dead : length == 0 ? State.Header : State.Skip;
            return;
        }
        if (_payload.Length < length)
            _payload = new byte[Math.Max(length, Math.Min(_payload.Length * 2, _options.MaxFrameBytes))];
        _payloadLen = 0;
        _remaining = length;
        if (length == 0)
            FinishBufferedFrame();
        else
            _state = State.Payload;
    }

    private void FinishBufferedFrame()
    {
        _state = State.Header;
        _sink.OnFrame(_fromClient, _frame, _payload.AsSpan(0, _payloadLen), _frameStartTs);
    }

    private void AfterDataBytes()
    {
        if (_remaining > 0)
        {
            _state = State.DataBody;
            return;
        }
        if (_padLength > 0)
        {
            _remaining = _padLength;
            _padLength = 0;
            _state = State.DataPadding;
            return;
        }
        EndData();
    }

    private void EndData()
    {
        _state = State.Header;
        _sink.OnDataEnd(_fromClient, _frame.StreamId, _frame.HasFlag(Http2Frame.FlagEndStream));
    }
}
