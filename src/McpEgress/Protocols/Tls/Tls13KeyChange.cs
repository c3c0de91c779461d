namespace McpEgress.Protocols.Tls;

internal enum Tls13KeyChange
{
    None,
    /// <summary>Finished: switch to the application traffic secret 0.</summary>
    ToApplication,
    /// <summary>EndOfEarlyData: switch from the early to the handshake traffic secret.</summary>
    ToHandshake,
    /// <summary>KeyUpdate: next generation of the application traffic secret (RFC 8446 §7.2).</summary>
    KeyUpdate,
}
