using System.Security.Cryptography;

namespace McpEgress.Protocols.Tls;

/// <summary>
/// A cipher suite we can decrypt: IANA id and name, record protection, key/MAC sizes and the PRF/HKDF hash.
/// </summary>
public sealed record TlsCipherSuite(
    ushort Id, string Name, TlsCipherKind Kind, int KeyLength, HashAlgorithmName MacHash, int MacLength,
    HashAlgorithmName PrfHash, bool IsTls13)
{
    /// <summary>Implicit IV bytes from the key block: 4-byte salt for GCM/CCM, 12 for ChaCha20 (RFC 7905), 16 for CBC.</summary>
    public int FixedIvLength => IsTls13 ? 12 : Kind switch
    {
        TlsCipherKind.ChaCha20Poly1305 => 12,
        TlsCipherKind.AesCbc => 16,
        _ => 4,
    };

    public int TagLength => Kind switch { TlsCipherKind.AesCcm8 => 8, TlsCipherKind.AesCbc => 0, _ => 16 };

    private static readonly Dictionary<ushort, TlsCipherSuite> Table = Build();

    public static TlsCipherSuite? Find(ushort id) => Table.GetValueOrDefault(id);

    /// <summary>IANA name for any suite id we know (decryptable or not), else "0xHHHH".</summary>
    public static string NameOf(ushort id) => Table.TryGetValue(id, out var s) ? s.Name : $"0x{id:X4}";

    private static Dictionary<ushort, TlsCipherSuite> Build()
    {
        var s256 = HashAlgorithmName.SHA256; var s384 = HashAlgorithmName.SHA384; var s1 = HashAlgorithmName.SHA1;
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
        void Cbc(ushort id, string name, int keyLen, HashAlgorithmName mac) =>
            list.Add(new(id, name, TlsCipherKind.AesCbc, keyLen, mac, TlsKeyDerivation.HashLength(mac),
                mac == s384 ? s384 : s256, false));

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
        return list.ToDictionary(s => s.Id);
    }
}
