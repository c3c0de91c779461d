namespace McpEgress.Protocols.Tls;

/// <summary>Which TLS 1.3 traffic secret protects a direction's records (RFC 8446 §7.1).</summary>
internal enum Tls13KeyStage
{
    /// <summary>Client only: 0-RTT records under client_early_traffic_secret, tried before the handshake secret.</summary>
    EarlyTrial,
    Handshake,
    Application,
}
