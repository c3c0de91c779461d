namespace McpEgress.Protocols.Tls;

/// <summary>
/// The bulk ciphers we can decrypt, grouped by record protection: AEAD (RFC 5246 §6.2.3.3), CBC block
/// ciphers with HMAC (§6.2.3.2) and stream ciphers with HMAC (§6.2.3.1; NULL is the identity stream).
/// </summary>
public enum TlsCipherKind
{
    // AEAD
    AesGcm,
    ChaCha20Poly1305,
    AesCcm,
    /// <summary>AES-CCM with an 8-byte tag (RFC 6655 "CCM_8").</summary>
    AesCcm8,
    /// <summary>ARIA-GCM (RFC 6209), BouncyCastle engine.</summary>
    AriaGcm,
    /// <summary>Camellia-GCM (RFC 6367), BouncyCastle engine.</summary>
    CamelliaGcm,

    // CBC block ciphers + HMAC
    AesCbc,
    /// <summary>Camellia-CBC (RFC 5932), BouncyCastle engine.</summary>
    CamelliaCbc,
    /// <summary>ARIA-CBC (RFC 6209), BouncyCastle engine.</summary>
    AriaCbc,
    /// <summary>SEED-CBC (RFC 4162), BouncyCastle engine.</summary>
    SeedCbc,
    /// <summary>IDEA-CBC (RFC 5469), BouncyCastle engine.</summary>
    IdeaCbc,
    /// <summary>3DES-EDE-CBC (RFC 5246 §A.5), framework TripleDES.</summary>
    TripleDesCbc,
    /// <summary>Single DES-CBC (RFC 5469), framework DES.</summary>
    DesCbc,

    // Stream ciphers + HMAC
    /// <summary>RC4 (RFC 5246 §A.5, prohibited by RFC 7465 but still decrypted), BouncyCastle engine.</summary>
    Rc4,
    /// <summary>No encryption, HMAC only (TLS_*_WITH_NULL_*).</summary>
    Null,
}
