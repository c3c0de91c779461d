namespace McpEgress.Protocols.Tls;

/// <summary>The ClientHello fields the session needs (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2).</summary>
internal sealed class TlsClientHello
{
    public byte[] Random = [];
    public byte[] SessionId = [];
    public string? ServerName;
    public List<string> Alpn = [];
    public bool EarlyData;
    public bool PreSharedKey;
    public bool SessionTicket;
    public bool EncryptThenMac;
}
