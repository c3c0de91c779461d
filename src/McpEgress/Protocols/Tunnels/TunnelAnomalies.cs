using McpEgress.Diagnostics;

namespace McpEgress.Protocols.Tunnels;

/// <summary>
/// Anomalies of the <c>tunnel</c> stage: proxy tunnel handshakes (HTTP CONNECT, RFC 9110 9.3.6; SOCKS4/4a; SOCKS5, RFC 1928) that can't be followed.
/// Report these names, never a string literal: the catalogue is what the anomaly metrics create at zero and
/// what src/McpEgress/Diagnostics/ANOMALIES.md documents.
/// </summary>
public static class TunnelAnomalies
{
    /// <summary>A CONNECT request line whose target is not host:port.</summary>
    public const string TunnelBadConnectRequest = "tunnel_bad_connect_request";

    /// <summary>A proxy reply that is not a valid HTTP status line or SOCKS reply.</summary>
    public const string TunnelBadReply = "tunnel_bad_reply";

    /// <summary>A tunnel handshake message longer than the handshake limit.</summary>
    public const string TunnelHeaderTooLong = "tunnel_header_too_long";

    /// <summary>More client bytes sent before the proxy answered than the early data limit.</summary>
    public const string TunnelEarlyDataTooLong = "tunnel_early_data_too_long";

    /// <summary>A rejected CONNECT's response body is chunked or unframed, so the next request can't be found.</summary>
    public const string TunnelRejectBodyUnframed = "tunnel_reject_body_unframed";

    /// <summary>A rejected CONNECT's response body is longer than the reject body limit.</summary>
    public const string TunnelRejectBodyTooLong = "tunnel_reject_body_too_long";

    /// <summary>A SOCKS5 greeting with a bad version or no methods.</summary>
    public const string SocksBadGreeting = "socks_bad_greeting";

    /// <summary>A SOCKS request with a bad version, address type or host.</summary>
    public const string SocksBadRequest = "socks_bad_request";

    /// <summary>A SOCKS request other than CONNECT (BIND, UDP ASSOCIATE).</summary>
    public const string SocksUnsupportedCommand = "socks_unsupported_command";

    /// <summary>A SOCKS5 authentication method other than none or username/password (GSSAPI).</summary>
    public const string SocksUnsupportedMethod = "socks_unsupported_method";

    /// <summary>More rejected tunnel attempts on one connection than the attempt limit; the connection is not followed further.</summary>
    public const string TooManyTunnelAttempts = "too_many_tunnel_attempts";

    /// <summary>Bytes lost inside a tunnel handshake; the tunnel can't be followed.</summary>
    public const string TunnelHandshakeGap = "tunnel_handshake_gap";

    /// <summary>Every name of this stage with its description, in declaration order.</summary>
    public static IReadOnlyList<AnomalyDefinition> Table { get; } =
    [
        new(AnomalyStage.Tunnel, TunnelBadConnectRequest, "A CONNECT request line whose target is not host:port."),
        new(AnomalyStage.Tunnel, TunnelBadReply, "A proxy reply that is not a valid HTTP status line or SOCKS reply."),
        new(AnomalyStage.Tunnel, TunnelHeaderTooLong, "A tunnel handshake message longer than the handshake limit."),
        new(AnomalyStage.Tunnel, TunnelEarlyDataTooLong, "More client bytes sent before the proxy answered than the early data limit."),
        new(AnomalyStage.Tunnel, TunnelRejectBodyUnframed, "A rejected CONNECT's response body is chunked or unframed, so the next request can't be found."),
        new(AnomalyStage.Tunnel, TunnelRejectBodyTooLong, "A rejected CONNECT's response body is longer than the reject body limit."),
        new(AnomalyStage.Tunnel, SocksBadGreeting, "A SOCKS5 greeting with a bad version or no methods."),
        new(AnomalyStage.Tunnel, SocksBadRequest, "A SOCKS request with a bad version, address type or host."),
        new(AnomalyStage.Tunnel, SocksUnsupportedCommand, "A SOCKS request other than CONNECT (BIND, UDP ASSOCIATE)."),
        new(AnomalyStage.Tunnel, SocksUnsupportedMethod, "A SOCKS5 authentication method other than none or username/password (GSSAPI)."),
        new(AnomalyStage.Tunnel, TooManyTunnelAttempts, "More rejected tunnel attempts on one connection than the attempt limit; the connection is not followed further."),
        new(AnomalyStage.Tunnel, TunnelHandshakeGap, "Bytes lost inside a tunnel handshake; the tunnel can't be followed."),
    ];
}
