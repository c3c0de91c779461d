namespace McpEgress.Protocols.Tunnels;

/// <summary>Limits of proxy tunnel handshakes (HTTP CONNECT, SOCKS4/4a/5).</summary>
public sealed class TunnelOptions
{
    /// <summary>
    /// Most bytes of a CONNECT request or reply header block (SOCKS messages are at most 513 bytes by their
    /// format). A longer one is unfollowable (<c>tunnel_header_too_long</c>). Default 16 KiB.
    /// </summary>
    public int MaxHandshakeBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// Most bytes the client may send into a tunnel before the proxy's reply is seen (optimistic data, e.g. a TLS
    /// ClientHello sent right behind the CONNECT). They are held and replayed into the tunnel once it is granted;
    /// beyond the limit the flow is unfollowable (<c>tunnel_early_data_too_long</c>). Default 64 KiB.
    /// </summary>
    public int MaxEarlyDataBytes { get; set; } = 64 * 1024;

    /// <summary>Most bytes of a rejected CONNECT's response body skipped before the next request. Default 64 KiB.</summary>
    public int MaxRejectBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Most tunnels (successive CONNECTs, e.g. after a 407) followed on one connection. Default 8.</summary>
    public int MaxAttemptsPerConnection { get; set; } = 8;
}
