namespace McpEgress.Protocols.Tls;

/// <summary>The ServerHello (or HelloRetryRequest) fields the session needs.</summary>
internal sealed class TlsServerHello
{
    public ushort LegacyVersion;
    public byte[] Random = [];
    public byte[] SessionId = [];
    public ushort CipherSuite;
    /// <summary>supported_versions selected_version, 0 if absent.</summary>
    public ushort SelectedVersion;
    public string? Alpn;
    public bool EncryptThenMac;
    public bool PreSharedKey;
    public bool IsHelloRetryRequest;

    public ushort Version => SelectedVersion != 0 ? SelectedVersion : LegacyVersion;
}
