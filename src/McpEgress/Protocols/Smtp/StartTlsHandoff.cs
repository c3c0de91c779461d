using McpEgress.Reassembly;

namespace McpEgress.Protocols.Smtp;

/// <summary>
/// The TLS bytes one call to <see cref="SmtpSession.OnData"/> leaves for a TLS layer. After the server's 220 to
/// STARTTLS, the server's next byte and the client's first byte after "STARTTLS\r\n" are TLS (RFC 3207 §4), and from
/// then on every byte of that direction is. Per direction the handoff is one piece in stream order: the bytes the
/// session had held before it learned they were TLS, then the untaken rest of the call. Once a direction is TLS,
/// every later call on it hands all its bytes back here, so a caller that forwards each handoff in enumeration order
/// (<c>foreach (var part in handoff) tls.OnData(part.Direction, part.Bytes)</c>) can't drop, repeat or reorder a byte.
/// Empty while both directions are plaintext. Valid until the next call into the session.
/// </summary>
public readonly ref struct StartTlsHandoff
{
    private readonly FlowDirection _fed;

    internal StartTlsHandoff(FlowDirection fed, ReadOnlySpan<byte> client, ReadOnlySpan<byte> server)
    {
        _fed = fed;
        Client = client;
        Server = server;
    }

    /// <summary>The client's TLS bytes from this call, in stream order.</summary>
    public ReadOnlySpan<byte> Client { get; }

    /// <summary>The server's TLS bytes from this call, in stream order.</summary>
    public ReadOnlySpan<byte> Server { get; }

    public bool IsEmpty => Client.IsEmpty && Server.IsEmpty;

    public ReadOnlySpan<byte> this[FlowDirection direction] => direction == FlowDirection.ClientToServer ? Client : Server;

    /// <summary>
    /// The non-empty pieces in the order they were captured: the direction not fed in this call first (its bytes were
    /// all taken by earlier calls), then the fed one (whose piece ends with this call's bytes).
    /// </summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>One direction's TLS bytes.</summary>
    public readonly ref struct Part(FlowDirection direction, ReadOnlySpan<byte> bytes)
    {
        public FlowDirection Direction { get; } = direction;
        public ReadOnlySpan<byte> Bytes { get; } = bytes;
    }

    public ref struct Enumerator
    {
        private readonly StartTlsHandoff _handoff;
        private int _step;
        private FlowDirection _current;

        internal Enumerator(StartTlsHandoff handoff)
        {
            _handoff = handoff;
            _step = -1;
        }

        public readonly Part Current => new(_current, _handoff[_current]);

        public bool MoveNext()
        {
            while (++_step < 2)
            {
                var other = _handoff._fed == FlowDirection.ClientToServer ? FlowDirection.ServerToClient : FlowDirection.ClientToServer;
                _current = _step == 0 ? other : _handoff._fed;
                if (!_handoff[_current].IsEmpty) return true;
            }
            return false;
        }
    }
}
