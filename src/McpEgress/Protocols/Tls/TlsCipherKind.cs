namespace McpEgress.Protocols.Tls;

/// <summary>The record protection families we can decrypt.</summary>
public enum TlsCipherKind
{
    AesGcm,
    ChaCha20Poly1305,
    AesCcm,
    /// <summary>AES-CCM with an 8-byte tag (RFC 6655 "CCM_8").</summary>
    AesCcm8,
    AesCbc,
}
