using McpEgress.Reassembly;

namespace McpEgress.Protocols.Tls;

/// <summary>What one TLS connection revealed: hello parameters, negotiation result and counters. Updated as the session runs.</summary>
public sealed class TlsSessionInfo
{
    private readonly long[] _bytes = new long[2];
    private readonly long[] _records = new long[2];
    private readonly long[] _plaintextBytes = new long[2];

    /// <summary>server_name (SNI, RFC 6066 §3) host name from the ClientHello, if any.</summary>
    public string? ServerName { get; internal set; }
    public IReadOnlyList<string> AlpnOffered { get; internal set; } = [];
    /// <summary>ALPN protocol chosen by the server (ServerHello in TLS 1.2, EncryptedExtensions in TLS 1.3).</summary>
    public string? AlpnSelected { get; internal set; }
    /// <summary>The 32-byte ClientHello random: the key log lookup key.</summary>
    public byte[]? ClientRandom { get; internal set; }
    /// <summary>Negotiated version, from supported_versions (RFC 8446 §4.2.1) when present: 0x0303 TLS 1.2, 0x0304 TLS 1.3.</summary>
    public ushort Version { get; internal set; }
    public string? VersionName => Version switch
    {
        0 => null, 0x0300 => "SSL 3.0", 0x0301 => "TLS 1.0", 0x0302 => "TLS 1.1", 0x0303 => "TLS 1.2", 0x0304 => "TLS 1.3",
        _ => $"0x{Version:X4}",
    };
    public ushort CipherSuite { get; internal set; }
    public string? CipherSuiteName => CipherSuite == 0 && Version == 0 ? null : TlsCipherSuite.NameOf(CipherSuite);
    public bool HelloRetryRequest { get; internal set; }
    /// <summary>TLS 1.2: the server echoed the client's session id (session id or ticket resumption). TLS 1.3: pre_shared_key selected.</summary>
    public bool Resumed { get; internal set; }
    public bool EncryptThenMac { get; internal set; }
    public bool EarlyDataOffered { get; internal set; }
    public bool EarlyDataAccepted { get; internal set; }
    /// <summary>At least one protected record authenticated and decrypted.</summary>
    public bool Decrypted { get; internal set; }
    public bool HandshakeComplete { get; internal set; }
    public int KeyUpdates { get; internal set; }
    public bool AlertSeen { get; internal set; }
    /// <summary>Last alert (level &lt;&lt; 8 | description), e.g. 0x0100 close_notify, 0x0228 handshake_failure.</summary>
    public ushort LastAlert { get; internal set; }
    public bool FatalAlertSeen { get; internal set; }

    /// <summary>TLS record bytes seen (headers included) in a direction.</summary>
    public long Bytes(FlowDirection direction) => _bytes[(int)direction];
    public long Records(FlowDirection direction) => _records[(int)direction];
    public long PlaintextBytes(FlowDirection direction) => _plaintextBytes[(int)direction];

    internal void AddBytes(FlowDirection d, long n) => _bytes[(int)d] += n;
    internal void AddRecord(FlowDirection d) => _records[(int)d]++;
    internal void AddPlaintext(FlowDirection d, long n) => _plaintextBytes[(int)d] += n;
}
