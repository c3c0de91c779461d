using System.Buffers.Binary;
using System.Net;
using System.Text;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Tunnels;

/// <summary>
/// Follows one proxy tunnel handshake — HTTP <c>CONNECT</c> (RFC 9110 §9.3.6), SOCKS4/4a, SOCKS5 (RFC 1928) with
/// username/password (RFC 1929) — from both directions of a flow, fed in capture order. The tunnel counts as open
/// only on the proxy's positive reply (HTTP 2xx, SOCKS4 0x5A, SOCKS5 0x00), as Wireshark and Zeek do; then
/// <see cref="TakeLeftover"/> gives the bytes of each direction that already belong to the tunnelled stream.
/// Bytes the client sends before the reply (optimistic data) are held, bounded, and handed over the same way.
/// Credentials (Proxy-Authorization, SOCKS user/password) are consumed and never kept.
/// </summary>
public sealed class TunnelHandshake
{
    private static ReadOnlySpan<byte> ConnectPrefix => "CONNECT "u8;

    private readonly TunnelOptions _options;
    private readonly Side _client = new();
    private readonly Side _server = new();
    private ClientStep _clientStep;
    private ServerStep _serverStep;
    private byte _socksMethod = 0xFF; // chosen by the server; 0xFF until known
    private bool _clientOfferedUserPass;
    private long _rejectBodyLeft;

    public TunnelHandshake(TunnelKind kind, TunnelOptions options)
    {
        Kind = kind;
        _options = options;
        _clientStep = kind switch
        {
            TunnelKind.HttpConnect => ClientStep.ConnectRequest,
            TunnelKind.Socks5 => ClientStep.Socks5Greeting,
            _ => ClientStep.Socks4Request,
        };
        _serverStep = kind switch
        {
            TunnelKind.HttpConnect => ServerStep.HttpReply,
            TunnelKind.Socks5 => ServerStep.Socks5Method,
            _ => ServerStep.Socks4Reply,
        };
    }

    /// <summary>The handshake's kind (SOCKS4 becomes SOCKS4a when the request carries a host name).</summary>
    public TunnelKind Kind { get; private set; }

    public TunnelStatus Status { get; private set; }

    /// <summary>Target of the request, once the client's request is complete.</summary>
    public TunnelTarget? Target { get; private set; }

    /// <summary>The proxy's answer: HTTP status code, SOCKS5 REP, SOCKS4 CD; -1 before it is seen.</summary>
    public int ReplyCode { get; private set; } = -1;

    /// <summary>Whether the client sent proxy credentials (Proxy-Authorization, SOCKS user/password).</summary>
    public bool ClientAuthenticated { get; private set; }

    /// <summary>Why the handshake is <see cref="TunnelStatus.Unfollowable"/> (a tunnel anomaly name), else null.</summary>
    public string? Anomaly { get; private set; }

    /// <summary>
    /// Whether the first client bytes of a stream look like a tunnel request. HTTP: <c>CONNECT </c>. SOCKS5: version
    /// 5, 1–255 methods of known values. SOCKS4: version 4, command CONNECT, a NUL-terminated user id.
    /// </summary>
    public static ProbeResult Probe(ReadOnlySpan<byte> client, out TunnelKind kind)
    {
        kind = TunnelKind.HttpConnect;
        if (client.IsEmpty) return ProbeResult.NeedMore;
        if (client[0] == (byte)'C')
        {
            int n = Math.Min(client.Length, ConnectPrefix.Length);
            if (!client[..n].SequenceEqual(ConnectPrefix[..n])) return ProbeResult.NoMatch;
            return n < ConnectPrefix.Length ? ProbeResult.NeedMore : ProbeResult.Match;
        }
        if (client[0] == 5)
        {
            kind = TunnelKind.Socks5;
            if (client.Length < 2) return ProbeResult.NeedMore;
            int methods = client[1];
            if (methods == 0) return ProbeResult.NoMatch;
            if (client.Length < 2 + methods) return ProbeResult.NeedMore;
            foreach (var m in client.Slice(2, methods))
                if (m > 0x09 && m < 0x80 || m == 0xFF) return ProbeResult.NoMatch; // unassigned or "no acceptable"
            // A greeting is answered before the client says more, except a pipelined request (5, cmd, 0, atyp).
            if (client.Length > 2 + methods && client[2 + methods] is not (5 or 1)) return ProbeResult.NoMatch;
            return ProbeResult.Match;
        }
        if (client[0] == 4)
        {
            kind = TunnelKind.Socks4;
            if (client.Length < 2) return ProbeResult.NeedMore;
            if (client[1] != 1) return ProbeResult.NoMatch; // only CONNECT is followed
            if (client.Length < 9) return ProbeResult.NeedMore;
            int nul = client[8..].IndexOf((byte)0);
            if (nul < 0) return client.Length - 8 > 255 ? ProbeResult.NoMatch : ProbeResult.NeedMore;
            return ProbeResult.Match;
        }
        return ProbeResult.NoMatch;
    }

    /// <summary>Feeds the next bytes of one direction.</summary>
    public void Feed(FlowDirection direction, ReadOnlySpan<byte> data)
    {
        if (Status is TunnelStatus.Unfollowable || data.IsEmpty) return;
        var side = direction == FlowDirection.ClientToServer ? _client : _server;
        if (!side.Append(data, direction == FlowDirection.ClientToServer && _clientStep == ClientStep.Done
                ? _options.MaxEarlyDataBytes + _options.MaxHandshakeBytes
                : _options.MaxHandshakeBytes + _options.MaxRejectBodyBytes))
        {
            Fail(_clientStep == ClientStep.Done && direction == FlowDirection.ClientToServer
                ? TunnelAnomalies.TunnelEarlyDataTooLong : TunnelAnomalies.TunnelHeaderTooLong);
            return;
        }
        Advance();
    }

    /// <summary>
    /// After <see cref="TunnelStatus.Established"/> or <see cref="TunnelStatus.Rejected"/>: the bytes of
    /// <paramref name="direction"/> that follow the handshake (taken once; empty afterwards).
    /// </summary>
    public byte[] TakeLeftover(FlowDirection direction)
    {
        var side = direction == FlowDirection.ClientToServer ? _client : _server;
        var rest = side.Pending.ToArray();
        side.Consume(side.Length);
        return rest;
    }

    private void Advance()
    {
        bool progressed = true;
        while (progressed && Status == TunnelStatus.InProgress)
        {
            progressed = false;
            if (_clientStep != ClientStep.Done && StepClient()) progressed = true;
            if (Status != TunnelStatus.InProgress) break;
            if (StepServer()) progressed = true;
        }
    }

    // ---- client side ----

    private bool StepClient()
    {
        var b = _client.Pending;
        switch (_clientStep)
        {
            case ClientStep.ConnectRequest:
            {
                int end = b.IndexOf("\r\n\r\n"u8);
                if (end < 0) return TooLongIfFull(b.Length);
                var head = b[..end];
                int eol = head.IndexOf("\r\n"u8);
                var line = eol < 0 ? head : head[..eol];
                if (!ParseConnectLine(line, out var host, out int port)) { Fail(TunnelAnomalies.TunnelBadConnectRequest); return false; }
                if (eol >= 0 && HasHeader(head[(eol + 2)..], "proxy-authorization"u8)) ClientAuthenticated = true;
                Target = new TunnelTarget(Kind, host, port);
                _client.Consume(end + 4);
                _clientStep = ClientStep.Done;
                return true;
            }
            case ClientStep.Socks5Greeting:
            {
                if (b.Length < 2) return false;
                if (b[0] != 5 || b[1] == 0) { Fail(TunnelAnomalies.SocksBadGreeting); return false; }
                if (b.Length < 2 + b[1]) return false;
                _clientOfferedUserPass = b.Slice(2, b[1]).Contains((byte)2);
                _client.Consume(2 + b[1]);
                _clientStep = ClientStep.Socks5AuthOrRequest;
                return true;
            }
            case ClientStep.Socks5AuthOrRequest:
            {
                if (b.IsEmpty) return false;
                if (b[0] == 1 && (_socksMethod == 2 || _socksMethod == 0xFF && _clientOfferedUserPass))
                {
                    // RFC 1929: VER=1, ULEN, UNAME, PLEN, PASSWD. Skipped, never kept.
                    if (b.Length < 2) return false;
                    int ulen = b[1];
                    if (b.Length < 3 + ulen) return false;
                    int plen = b[2 + ulen];
                    if (b.Length < 3 + ulen + plen) return false;
                    ClientAuthenticated = true;
                    _client.Consume(3 + ulen + plen);
                    _clientStep = ClientStep.Socks5Request;
                    return true;
                }
                _clientStep = ClientStep.Socks5Request;
                return true;
            }
            case ClientStep.Socks5Request:
            {
                // VER=5, CMD, RSV, ATYP, DST.ADDR, DST.PORT
                if (b.Length < 5) return false;
                if (b[0] != 5) { Fail(TunnelAnomalies.SocksBadRequest); return false; }
                if (b[1] != 1) { Fail(TunnelAnomalies.SocksUnsupportedCommand); return false; }
                if (!TryReadSocks5Address(b[3..], out var host, out int addrLen, out bool bad))
                {
                    if (bad) Fail(TunnelAnomalies.SocksBadRequest);
                    return false;
                }
                int total = 3 + addrLen + 2;
                if (b.Length < total) return false;
                int port = BinaryPrimitives.ReadUInt16BigEndian(b.Slice(3 + addrLen, 2));
                Target = new TunnelTarget(Kind, host, port);
                _client.Consume(total);
                _clientStep = ClientStep.Done;
                return true;
            }
            case ClientStep.Socks4Request:
            {
                // VN=4, CD=1, DSTPORT(2), DSTIP(4), USERID, NUL [, HOST, NUL when DSTIP is 0.0.0.x, x != 0]
                if (b.Length < 9) return false;
                if (b[0] != 4 || b[1] != 1) { Fail(TunnelAnomalies.SocksUnsupportedCommand); return false; }
                int nul = b[8..].IndexOf((byte)0);
                if (nul < 0) return TooLongIfFull(b.Length, 8 + 256);
                if (nul > 0) ClientAuthenticated = true; // a user id is SOCKS4's only credential
                int port = BinaryPrimitives.ReadUInt16BigEndian(b.Slice(2, 2));
                var ip = b.Slice(4, 4);
                int used = 8 + nul + 1;
                string host;
                if (ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0)
                {
                    int hostNul = b[used..].IndexOf((byte)0);
                    if (hostNul < 0) return TooLongIfFull(b.Length - used, 256);
                    if (hostNul == 0) { Fail(TunnelAnomalies.SocksBadRequest); return false; }
                    host = Encoding.ASCII.GetString(b.Slice(used, hostNul));
                    used += hostNul + 1;
                    Kind = TunnelKind.Socks4a;
                }
                else host = new IPAddress(ip).ToString();
                Target = new TunnelTarget(Kind, host, port);
                _client.Consume(used);
                _clientStep = ClientStep.Done;
                return true;
            }
        }
        return false;
    }

    // ---- server side ----

    private bool StepServer()
    {
        var b = _server.Pending;
        switch (_serverStep)
        {
            case ServerStep.HttpReply:
            {
                int end = b.IndexOf("\r\n\r\n"u8);
                if (end < 0) return TooLongIfFull(b.Length);
                var head = b[..end];
                int eol = head.IndexOf("\r\n"u8);
                var line = eol < 0 ? head : head[..eol];
                if (!ParseStatusLine(line, out int status)) { Fail(TunnelAnomalies.TunnelBadReply); return false; }
                _server.Consume(end + 4);
                if (status is >= 100 and < 200) return true; // interim; the final reply follows
                ReplyCode = status;
                if (status is >= 200 and < 300) { _serverStep = ServerStep.Done; return FinishIfBothDone(); }
                var headers = eol < 0 ? ReadOnlySpan<byte>.Empty : head[(eol + 2)..];
                if (HasHeader(headers, "transfer-encoding"u8)) { Fail(TunnelAnomalies.TunnelRejectBodyUnframed); return false; }
                _rejectBodyLeft = HeaderLong(headers, "content-length"u8);
                if (_rejectBodyLeft > _options.MaxRejectBodyBytes) { Fail(TunnelAnomalies.TunnelRejectBodyTooLong); return false; }
                _serverStep = ServerStep.RejectBody;
                return true;
            }
            case ServerStep.RejectBody:
            {
                int skip = (int)Math.Min(_rejectBodyLeft, b.Length);
                _server.Consume(skip);
                _rejectBodyLeft -= skip;
                if (_rejectBodyLeft > 0) return false;
                // The request is complete (no body on CONNECT), so the client's next bytes are a new request.
                if (_clientStep != ClientStep.Done) return false;
                Status = TunnelStatus.Rejected;
                return true;
            }
            case ServerStep.Socks5Method:
            {
                if (b.Length < 2) return false;
                if (b[0] != 5) { Fail(TunnelAnomalies.TunnelBadReply); return false; }
                _socksMethod = b[1];
                _server.Consume(2);
                if (_socksMethod == 0xFF) { ReplyCode = 0xFF; Status = TunnelStatus.Rejected; return true; }
                if (_socksMethod is not (0 or 2)) { Fail(TunnelAnomalies.SocksUnsupportedMethod); return false; }
                _serverStep = _socksMethod == 2 ? ServerStep.Socks5AuthStatus : ServerStep.Socks5Reply;
                return true;
            }
            case ServerStep.Socks5AuthStatus:
            {
                if (b.Length < 2) return false;
                int authStatus = b[1];
                _server.Consume(2);
                if (authStatus != 0) { ReplyCode = 0x100 | authStatus; Status = TunnelStatus.Rejected; return true; }
                _serverStep = ServerStep.Socks5Reply;
                return true;
            }
            case ServerStep.Socks5Reply:
            {
                if (b.Length < 5) return false;
                if (b[0] != 5) { Fail(TunnelAnomalies.TunnelBadReply); return false; }
                if (!TryReadSocks5Address(b[3..], out _, out int addrLen, out bool bad))
                {
                    if (bad) Fail(TunnelAnomalies.TunnelBadReply);
                    return false;
                }
                if (b.Length < 3 + addrLen + 2) return false;
                ReplyCode = b[1];
                _server.Consume(3 + addrLen + 2);
                if (ReplyCode != 0) { Status = TunnelStatus.Rejected; return true; }
                _serverStep = ServerStep.Done;
                return FinishIfBothDone();
            }
            case ServerStep.Socks4Reply:
            {
                // VN (0; some servers send 4), CD, DSTPORT, DSTIP
                if (b.Length < 8) return false;
                if (b[0] is not (0 or 4)) { Fail(TunnelAnomalies.TunnelBadReply); return false; }
                ReplyCode = b[1];
                _server.Consume(8);
                if (ReplyCode != 0x5A) { Status = TunnelStatus.Rejected; return true; }
                _serverStep = ServerStep.Done;
                return FinishIfBothDone();
            }
            case ServerStep.Done:
                return FinishIfBothDone();
        }
        return false;
    }

    /// <summary>The tunnel is open once the proxy granted it and the client's request is complete.</summary>
    private bool FinishIfBothDone()
    {
        if (_serverStep != ServerStep.Done || _clientStep != ClientStep.Done || Status != TunnelStatus.InProgress) return false;
        Status = TunnelStatus.Established;
        return true;
    }

    private bool TooLongIfFull(int length, int? cap = null)
    {
        if (length > (cap ?? _options.MaxHandshakeBytes)) Fail(TunnelAnomalies.TunnelHeaderTooLong);
        return false;
    }

    private void Fail(string anomaly)
    {
        Status = TunnelStatus.Unfollowable;
        Anomaly = anomaly;
        _client.Release();
        _server.Release();
    }

    // ---- pieces ----

    /// <summary>SOCKS5 ATYP + address (RFC 1928 §5): 1 = IPv4, 3 = length-prefixed name, 4 = IPv6.</summary>
    private static bool TryReadSocks5Address(ReadOnlySpan<byte> b, out string host, out int length, out bool bad)
    {
        host = ""; length = 0; bad = false;
        if (b.IsEmpty) return false;
        switch (b[0])
        {
            case 1:
                if (b.Length < 5) return false;
                host = new IPAddress(b.Slice(1, 4)).ToString(); length = 5; return true;
            case 4:
                if (b.Length < 17) return false;
                host = new IPAddress(b.Slice(1, 16)).ToString(); length = 17; return true;
            case 3:
                if (b.Length < 2) return false;
                int n = b[1];
                if (n == 0) { bad = true; return false; }
                if (b.Length < 2 + n) return false;
                host = Encoding.ASCII.GetString(b.Slice(2, n)); length = 2 + n; return true;
            default:
                bad = true; return false;
        }
    }

    /// <summary><c>CONNECT host:port HTTP/1.x</c>; the authority is host:port or [v6]:port (RFC 9110 §9.3.6).</summary>
    internal static bool ParseConnectLine(ReadOnlySpan<byte> line, out string host, out int port)
    {
        host = ""; port = 0;
        if (!line.StartsWith(ConnectPrefix)) return false;
        var rest = line[ConnectPrefix.Length..];
        int sp = rest.IndexOf((byte)' ');
        if (sp <= 0 || !rest[(sp + 1)..].StartsWith("HTTP/1."u8)) return false;
        return TryParseAuthority(rest[..sp], out host, out port);
    }

    /// <summary>A CONNECT authority (RFC 9110 §9.3.6, also HTTP/2's :authority): host:port or [v6]:port, port required.</summary>
    public static bool TryParseAuthority(string authority, out string host, out int port) =>
        TryParseAuthority(Encoding.ASCII.GetBytes(authority), out host, out port);

    private static bool TryParseAuthority(ReadOnlySpan<byte> authority, out string host, out int port)
    {
        host = ""; port = 0;
        int colon = authority.LastIndexOf((byte)':');
        if (colon <= 0 || colon == authority.Length - 1) return false;
        var h = authority[..colon];
        if (h[0] == (byte)'[')
        {
            if (h.Length < 3 || h[^1] != (byte)']') return false;
            h = h[1..^1];
        }
        else if (h.Contains((byte)'[') || h.Contains((byte)']') || h.Contains((byte)'@') || h.Contains((byte)'/')) return false;
        foreach (var c in authority[(colon + 1)..])
        {
            if (c is < (byte)'0' or > (byte)'9') return false;
            port = port * 10 + (c - '0');
            if (port > 65535) return false;
        }
        host = Encoding.ASCII.GetString(h).ToLowerInvariant();
        return true;
    }

    private static bool ParseStatusLine(ReadOnlySpan<byte> line, out int status)
    {
        status = 0;
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != (byte)' ') return false;
        for (int i = 9; i < 12; i++)
        {
            if (line[i] is < (byte)'0' or > (byte)'9') return false;
            status = status * 10 + (line[i] - '0');
        }
        return line.Length == 12 || line[12] == (byte)' ';
    }

    private static bool HasHeader(ReadOnlySpan<byte> headers, ReadOnlySpan<byte> lowerName) =>
        FindHeader(headers, lowerName, out _);

    private static long HeaderLong(ReadOnlySpan<byte> headers, ReadOnlySpan<byte> lowerName)
    {
        if (!FindHeader(headers, lowerName, out var value)) return 0;
        long v = 0;
        foreach (var c in value.Trim((byte)' '))
        {
            if (c is < (byte)'0' or > (byte)'9') return long.MaxValue; // unparseable: treat as too long
            v = v * 10 + (c - '0');
            if (v > int.MaxValue) return long.MaxValue;
        }
        return v;
    }

    private static bool FindHeader(ReadOnlySpan<byte> headers, ReadOnlySpan<byte> lowerName, out ReadOnlySpan<byte> value)
    {
        value = default;
        while (!headers.IsEmpty)
        {
            int eol = headers.IndexOf("\r\n"u8);
            var line = eol < 0 ? headers : headers[..eol];
            headers = eol < 0 ? default : headers[(eol + 2)..];
            int colon = line.IndexOf((byte)':');
            if (colon != lowerName.Length) continue;
            bool same = true;
            for (int i = 0; i < colon && same; i++) same = (byte)(line[i] | 0x20) == lowerName[i];
            if (!same) continue;
            value = line[(colon + 1)..];
            return true;
        }
        return false;
    }

    private enum ClientStep : byte { ConnectRequest, Socks5Greeting, Socks5AuthOrRequest, Socks5Request, Socks4Request, Done }
    private enum ServerStep : byte { HttpReply, RejectBody, Socks5Method, Socks5AuthStatus, Socks5Reply, Socks4Reply, Done }

    /// <summary>Unconsumed bytes of one direction, bounded by the caller.</summary>
    private sealed class Side
    {
        private byte[] _buffer = [];
        private int _start;
        public int Length { get; private set; }
        public ReadOnlySpan<byte> Pending => _buffer.AsSpan(_start, Length);

        public bool Append(ReadOnlySpan<byte> data, int cap)
        {
            if (Length + data.Length > cap) return false;
            if (_start + Length + data.Length > _buffer.Length)
            {
                var grown = new byte[Math.Max(256, Math.Max(_buffer.Length * 2, Length + data.Length))];
                Pending.CopyTo(grown);
                _buffer = grown;
                _start = 0;
            }
            data.CopyTo(_buffer.AsSpan(_start + Length));
            Length += data.Length;
            return true;
        }

        public void Consume(int n)
        {
            _start += n;
            Length -= n;
            if (Length == 0) _start = 0;
        }

        public void Release() { _buffer = []; _start = 0; Length = 0; }
    }
}
