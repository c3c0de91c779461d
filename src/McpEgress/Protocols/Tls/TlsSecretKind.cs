namespace McpEgress.Protocols.Tls;

/// <summary>The secret labels of the NSS key log format (SSLKEYLOGFILE), one per line kind.</summary>
public enum TlsSecretKind
{
    /// <summary><c>CLIENT_RANDOM</c>: the TLS 1.2 (and earlier) 48-byte master secret.</summary>
    MasterSecret,
    ClientEarlyTrafficSecret,
    ClientHandshakeTrafficSecret,
    ServerHandshakeTrafficSecret,
    ClientTrafficSecret0,
    ServerTrafficSecret0,
    EarlyExporterSecret,
    ExporterSecret,
}
