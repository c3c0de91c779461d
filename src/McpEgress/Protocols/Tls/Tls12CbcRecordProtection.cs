using System.Security.Cryptography;

namespace McpEgress.Protocols.Tls;

/// <summary>
/// TLS 1.2 AES-CBC + HMAC records with an explicit per-record IV (RFC 5246 §6.2.3.2): MAC-then-encrypt by
/// default, encrypt-then-MAC when the encrypt_then_mac extension was negotiated (RFC 7366 §3).
/// </summary>
internal sealed class Tls12CbcRecordProtection : TlsRecordProtection
{
    private readonly TlsCipherSuite _suite;
    private readonly bool _encryptThenMac;
    private readonly Aes _aes;
    private readonly IncrementalHash _hmac;

    public Tls12CbcRecordProtection(TlsCipherSuite suite, ReadOnlySpan<byte> macKey, ReadOnlySpan<byte> encKey, bool encryptThenMac)
    {
        _suite = suite;
        _encryptThenMac = encryptThenMac;
        _aes = Aes.Create();
        _aes.Key = encKey.ToArray();
        _hmac = IncrementalHash.CreateHMAC(suite.MacHash, macKey);
    }

    public override bool TryDecrypt(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, Span<byte> plaintext,
        out int plaintextLength, out byte contentType)
    {
        plaintextLength = 0;
        contentType = header[0];
        int macLength = _suite.MacLength;
        Span<byte> aad = stackalloc byte[13];
        Span<byte> mac = stackalloc byte[64];
        mac = mac[..macLength];

        if (_encryptThenMac)
        {
            // body = IV || ciphertext || MAC(seq || header' || IV || ciphertext)
            int encLength = body.Length - macLength;
            if (encLength < 32 || encLength % 16 != 0 || encLength - 16 > plaintext.Length) return false;
            WriteTls12Aad(aad, SequenceNumber, header, encLength);
            _hmac.AppendData(aad);
            _hmac.AppendData(body[..encLength]);
            _hmac.GetHashAndReset(mac);
            if (!CryptographicOperations.FixedTimeEquals(mac, body[encLength..])) return false;
            int n = _aes.DecryptCbc(body[16..encLength], body[..16], plaintext, PaddingMode.None);
            if (!TryStripPadding(plaintext[..n], 0, out plaintextLength)) return false;
            SequenceNumber++;
            return true;
        }
        else
        {
            // body = IV || E(content || MAC(seq || header' || content) || padding || padding_length)
            if (body.Length < 32 || body.Length % 16 != 0 || body.Length - 16 > plaintext.Length) return false;
            int n = _aes.DecryptCbc(body[16..], body[..16], plaintext, PaddingMode.None);
            if (!TryStripPadding(plaintext[..n], macLength, out int contentAndMac)) return false;
            int contentLength = contentAndMac - macLength;
            WriteTls12Aad(aad, SequenceNumber, header, contentLength);
            _hmac.AppendData(aad);
            _hmac.AppendData(plaintext[..contentLength]);
            _hmac.GetHashAndReset(mac);
            if (!CryptographicOperations.FixedTimeEquals(mac, plaintext.Slice(contentLength, macLength))) return false;
            SequenceNumber++;
            plaintextLength = contentLength;
            return true;
        }
    }

    /// <summary>GenericBlockCipher padding: padding_length + 1 bytes, each equal to padding_length (RFC 5246 §6.2.3.2).</summary>
    private static bool TryStripPadding(ReadOnlySpan<byte> decrypted, int minRemaining, out int remaining)
    {
        remaining = 0;
        if (decrypted.IsEmpty) return false;
        int pad = decrypted[^1];
        if (pad + 1 + minRemaining > decrypted.Length) return false;
        for (int i = decrypted.Length - 1 - pad; i < decrypted.Length; i++)
            if (decrypted[i] != pad) return false;
        remaining = decrypted.Length - pad - 1;
        return true;
    }

    public override void Dispose()
    {
        _aes.Dispose();
        _hmac.Dispose();
    }
}
