namespace McpEgress.Protocols.Tunnels;

/// <summary>How a client asked a proxy for a tunnel.</summary>
public enum TunnelKind : byte
{
    /// <summary>HTTP/1.1 <c>CONNECT host:port</c> (RFC 9110 §9.3.6).</summary>
    HttpConnect,
    /// <summary>SOCKS4 CONNECT to an IPv4 address.</summary>
    Socks4,
    /// <summary>SOCKS4a: SOCKS4 with the host name after the user id (address 0.0.0.x).</summary>
    Socks4a,
    /// <summary>SOCKS5 CONNECT (RFC 1928), with or without username/password (RFC 1929).</summary>
    Socks5,
}

/// <summary>Where a tunnel goes, as the client asked for it: a host name or an address literal, and a port.</summary>
public readonly record struct TunnelTarget(TunnelKind Kind, string Host, int Port);

/// <summary>Where a tunnel handshake stands.</summary>
public enum TunnelStatus : byte
{
    /// <summary>Request or reply not complete yet.</summary>
    InProgress,
    /// <summary>The proxy said yes (HTTP 2xx, SOCKS granted): what follows in both directions is the tunnelled stream.</summary>
    Established,
    /// <summary>The proxy said no. What follows (if anything) is a new request to the proxy.</summary>
    Rejected,
    /// <summary>
    /// A handshake this parser does not follow (SOCKS GSSAPI, BIND, UDP ASSOCIATE, a malformed message, a chunked
    /// error body): the rest of the flow cannot be lined up. <see cref="TunnelHandshake.Anomaly"/> names why.
    /// </summary>
    Unfollowable,
}

/// <summary>Short names of tunnel kinds, as output uses them ("connect", "socks4", "socks4a", "socks5").</summary>
public static class TunnelNames
{
    public static string Of(TunnelKind kind) => kind switch
    {
        TunnelKind.HttpConnect => "connect",
        TunnelKind.Socks4 => "socks4",
        TunnelKind.Socks4a => "socks4a",
        _ => "socks5",
    };
}
