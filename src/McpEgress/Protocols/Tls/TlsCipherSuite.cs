using System.Security.Cryptography;

namespace McpEgress.Protocols.Tls;

/// <summary>
/// A cipher suite we can decrypt: IANA id and name, record protection, key/MAC sizes and the PRF/HKDF hash.
/// </summary>
public sealed record TlsCipherSuite(
    ushort Id, string Name, TlsCipherKind Kind, int KeyLength, HashAlgorithmName MacHash, int MacLength,
    HashAlgorithmName PrfHash, bool IsTls13)
{
    /// <summary>Authenticated encryption: the record is nonce_explicit? || ciphertext || tag (RFC 5246 §6.2.3.3).</summary>
    public bool IsAead => Kind is TlsCipherKind.AesGcm or TlsCipherKind.ChaCha20Poly1305 or TlsCipherKind.AesCcm
        or TlsCipherKind.AesCcm8 or TlsCipherKind.AriaGcm or TlsCipherKind.CamelliaGcm;

    /// <summary>Stream cipher (RC4, or NULL) + HMAC: the record is E(content || MAC) (RFC 5246 §6.2.3.1).</summary>
    public bool IsStream => Kind is TlsCipherKind.Rc4 or TlsCipherKind.Null;

    /// <summary>CBC block cipher + HMAC (RFC 5246 §6.2.3.2).</summary>
    public bool IsBlock => !IsAead && !IsStream;

    /// <summary>Cipher block size in bytes for CBC suites: 8 for 3DES, DES and IDEA, 16 otherwise; 0 for AEAD and stream suites.</summary>
    public int BlockSize => !IsBlock ? 0 : Kind is TlsCipherKind.TripleDesCbc or TlsCipherKind.DesCbc or TlsCipherKind.IdeaCbc ? 8 : 16;

    /// <summary>
    /// IV bytes from the key block: 4-byte salt for GCM/CCM, 12 for ChaCha20 (RFC 7905), the block size for CBC
    /// (TLS 1.0's first IV, RFC 2246 §6.3; unused but still derived after it), none for stream ciphers.
    /// </summary>
    public int FixedIvLength => IsTls13 ? 12 : Kind switch
    {
        TlsCipherKind.ChaCha20Poly1305 => 12,
        _ when IsBlock => BlockSize,
        _ when IsStream => 0,
        _ => 4,
    };

    public int TagLength => Kind switch { TlsCipherKind.AesCcm8 => 8, _ when IsAead => 16, _ => 0 };

    /// <summary>AEAD suites and suites with SHA-256/384 MACs exist only from TLS 1.2 on (RFC 5246, 5288, 5289).</summary>
    public bool RequiresTls12 => IsTls13 || IsAead || MacHash == HashAlgorithmName.SHA256 || MacHash == HashAlgorithmName.SHA384;

    private static readonly Dictionary<ushort, TlsCipherSuite> Table = Build();

    public static TlsCipherSuite? Find(ushort id) => Table.GetValueOrDefault(id);

    /// <summary>IANA name for any suite id we know (decryptable or not), else "0xHHHH".</summary>
    public static string NameOf(ushort id) => Table.TryGetValue(id, out var s) ? s.Name : $"0x{id:X4}";

    private static Dictionary<ushort, TlsCipherSuite> Build()
    {
        var s256 = HashAlgorithmName.SHA256; var s384 = HashAlgorithmName.SHA384; var s1 = HashAlgorithmName.SHA1;
        var md5 = HashAlgorithmName.MD5;
        var none = default(HashAlgorithmName);
        var list = new List<TlsCipherSuite>
        {
            // TLS 1.3 (RFC 8446 §B.4)
            new(0x1301, "TLS_AES_128_GCM_SHA256", TlsCipherKind.AesGcm, 16, none, 0, s256, true),
            new(0x1302, "TLS_AES_256_GCM_SHA384", TlsCipherKind.AesGcm, 32, none, 0, s384, true),
            new(0x1303, "TLS_CHACHA20_POLY1305_SHA256", TlsCipherKind.ChaCha20Poly1305, 32, none, 0, s256, true),
            new(0x1304, "TLS_AES_128_CCM_SHA256", TlsCipherKind.AesCcm, 16, none, 0, s256, true),
            new(0x1305, "TLS_AES_128_CCM_8_SHA256", TlsCipherKind.AesCcm8, 16, none, 0, s256, true),
        };
        void Aead(ushort id, string name, TlsCipherKind kind, int keyLen, HashAlgorithmName prf) =>
            list.Add(new(id, name, kind, keyLen, none, 0, prf, false));
        // CBC and stream suites: the TLS 1.2 PRF is SHA-384 for *_SHA384 suites, SHA-256 otherwise (RFC 5246 §5,
        // RFC 5289 §3.2); TLS 1.0/1.1 always use the MD5/SHA-1 PRF (RFC 2246 §5).
        void Mac(ushort id, string name, TlsCipherKind kind, int keyLen, HashAlgorithmName mac) =>
            list.Add(new(id, name, kind, keyLen, mac, TlsKeyDerivation.HashLength(mac), mac == s384 ? s384 : s256, false));
        void Cbc(ushort id, string name, int keyLen, HashAlgorithmName mac) => Mac(id, name, TlsCipherKind.AesCbc, keyLen, mac);

        // AES-GCM (RFC 5288, RFC 5289)
        Aead(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", TlsCipherKind.AesGcm, 16, s256);
        Aead(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", TlsCipherKind.AesGcm, 32, s384);
        Aead(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", TlsCipherKind.AesGcm, 16, s256);
        Aead(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", TlsCipherKind.AesGcm, 32, s384);
        Aead(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", TlsCipherKind.AesGcm, 16, s256);
        Aead(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", TlsCipherKind.AesGcm, 32, s384);
        Aead(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", TlsCipherKind.AesGcm, 16, s256);
        Aead(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", TlsCipherKind.AesGcm, 32, s384);
        // ChaCha20-Poly1305 (RFC 7905)
        Aead(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", TlsCipherKind.ChaCha20Poly1305, 32, s256);
        Aead(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", TlsCipherKind.ChaCha20Poly1305, 32, s256);
        Aead(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", TlsCipherKind.ChaCha20Poly1305, 32, s256);
        // AES-CCM (RFC 6655, RFC 7251)
        Aead(0xC09C, "TLS_RSA_WITH_AES_128_CCM", TlsCipherKind.AesCcm, 16, s256);
        Aead(0xC09D, "TLS_RSA_WITH_AES_256_CCM", TlsCipherKind.AesCcm, 32, s256);
        Aead(0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", TlsCipherKind.AesCcm8, 16, s256);
        Aead(0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8", TlsCipherKind.AesCcm8, 32, s256);
        Aead(0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", TlsCipherKind.AesCcm, 16, s256);
        Aead(0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", TlsCipherKind.AesCcm, 32, s256);
        Aead(0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", TlsCipherKind.AesCcm8, 16, s256);
        Aead(0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", TlsCipherKind.AesCcm8, 32, s256);
        // ARIA-GCM (RFC 6209)
        Aead(0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", TlsCipherKind.AriaGcm, 16, s256);
        Aead(0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384", TlsCipherKind.AriaGcm, 32, s384);
        Aead(0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", TlsCipherKind.AriaGcm, 16, s256);
        Aead(0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", TlsCipherKind.AriaGcm, 32, s384);
        Aead(0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", TlsCipherKind.AriaGcm, 16, s256);
        Aead(0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", TlsCipherKind.AriaGcm, 32, s384);
        Aead(0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", TlsCipherKind.AriaGcm, 16, s256);
        Aead(0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", TlsCipherKind.AriaGcm, 32, s384);
        // Camellia-GCM (RFC 6367)
        Aead(0xC07A, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256", TlsCipherKind.CamelliaGcm, 16, s256);
        Aead(0xC07B, "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384", TlsCipherKind.CamelliaGcm, 32, s384);
        Aead(0xC07C, "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", TlsCipherKind.CamelliaGcm, 16, s256);
        Aead(0xC07D, "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", TlsCipherKind.CamelliaGcm, 32, s384);
        Aead(0xC086, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", TlsCipherKind.CamelliaGcm, 16, s256);
        Aead(0xC087, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", TlsCipherKind.CamelliaGcm, 32, s384);
        Aead(0xC08A, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", TlsCipherKind.CamelliaGcm, 16, s256);
        Aead(0xC08B, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", TlsCipherKind.CamelliaGcm, 32, s384);
        // AES-CBC with HMAC (RFC 5246 §A.5, RFC 4492, RFC 5289)
        Cbc(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", 16, s1);
        Cbc(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", 32, s1);
        Cbc(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", 16, s256);
        Cbc(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", 32, s256);
        Cbc(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", 16, s1);
        Cbc(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", 32, s1);
        Cbc(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", 16, s256);
        Cbc(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", 32, s256);
        Cbc(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 16, s1);
        Cbc(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 32, s1);
        Cbc(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 16, s1);
        Cbc(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 32, s1);
        Cbc(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 16, s256);
        Cbc(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", 32, s384);
        Cbc(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 16, s256);
        Cbc(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 32, s384);
        // Camellia-CBC (RFC 5932)
        var cam = TlsCipherKind.CamelliaCbc;
        Mac(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", cam, 16, s1);
        Mac(0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", cam, 16, s1);
        Mac(0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", cam, 16, s1);
        Mac(0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", cam, 32, s1);
        Mac(0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", cam, 32, s1);
        Mac(0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", cam, 32, s1);
        Mac(0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", cam, 16, s256);
        Mac(0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256", cam, 16, s256);
        Mac(0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", cam, 16, s256);
        Mac(0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", cam, 32, s256);
        Mac(0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256", cam, 32, s256);
        Mac(0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", cam, 32, s256);
        Mac(0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", cam, 16, s256);
        Mac(0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", cam, 32, s384);
        Mac(0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", cam, 16, s256);
        Mac(0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", cam, 32, s384);
        // ARIA-CBC (RFC 6209)
        var aria = TlsCipherKind.AriaCbc;
        Mac(0xC03C, "TLS_RSA_WITH_ARIA_128_CBC_SHA256", aria, 16, s256);
        Mac(0xC03D, "TLS_RSA_WITH_ARIA_256_CBC_SHA384", aria, 32, s384);
        Mac(0xC044, "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256", aria, 16, s256);
        Mac(0xC045, "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384", aria, 32, s384);
        Mac(0xC048, "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256", aria, 16, s256);
        Mac(0xC049, "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384", aria, 32, s384);
        Mac(0xC04C, "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256", aria, 16, s256);
        Mac(0xC04D, "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384", aria, 32, s384);
        // SEED (RFC 4162), IDEA and DES (RFC 5469), 3DES (RFC 5246 §A.5, RFC 4492)
        Mac(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", TlsCipherKind.SeedCbc, 16, s1);
        Mac(0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA", TlsCipherKind.SeedCbc, 16, s1);
        Mac(0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", TlsCipherKind.SeedCbc, 16, s1);
        Mac(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", TlsCipherKind.IdeaCbc, 16, s1);
        Mac(0x0009, "TLS_RSA_WITH_DES_CBC_SHA", TlsCipherKind.DesCbc, 8, s1);
        Mac(0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", TlsCipherKind.DesCbc, 8, s1);
        Mac(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", TlsCipherKind.TripleDesCbc, 24, s1);
        Mac(0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", TlsCipherKind.TripleDesCbc, 24, s1);
        Mac(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", TlsCipherKind.TripleDesCbc, 24, s1);
        Mac(0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", TlsCipherKind.TripleDesCbc, 24, s1);
        Mac(0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", TlsCipherKind.TripleDesCbc, 24, s1);
        // RC4 (RFC 5246 §A.5, RFC 4492; prohibited by RFC 7465) and NULL encryption
        Mac(0x0004, "TLS_RSA_WITH_RC4_128_MD5", TlsCipherKind.Rc4, 16, md5);
        Mac(0x0005, "TLS_RSA_WITH_RC4_128_SHA", TlsCipherKind.Rc4, 16, s1);
        Mac(0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", TlsCipherKind.Rc4, 16, s1);
        Mac(0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", TlsCipherKind.Rc4, 16, s1);
        Mac(0x0001, "TLS_RSA_WITH_NULL_MD5", TlsCipherKind.Null, 0, md5);
        Mac(0x0002, "TLS_RSA_WITH_NULL_SHA", TlsCipherKind.Null, 0, s1);
        Mac(0x003B, "TLS_RSA_WITH_NULL_SHA256", TlsCipherKind.Null, 0, s256);
        Mac(0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", TlsCipherKind.Null, 0, s1);
        Mac(0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA", TlsCipherKind.Null, 0, s1);
        return list.ToDictionary(s => s.Id);
    }
}
