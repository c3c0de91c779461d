namespace McpEgress.Protocols.Tls;

/// <summary>Where one direction of a session is.</summary>
internal enum TlsDirectionPhase
{
    /// <summary>Records are not protected yet (hellos, TLS 1.2 handshake before ChangeCipherSpec).</summary>
    Plaintext,
    /// <summary>Records are protected; decrypted when the keys are known.</summary>
    Protected,
    /// <summary>Nothing more will be decrypted (auth failure, gap, unsupported, limit); records only counted.</summary>
    Stopped,
    /// <summary>Record framing is lost (bad header): bytes only counted.</summary>
    Unframed,
}
