using System.Security.Cryptography;

namespace McpEgress.Protocols.Tls;

/// <summary>
/// TLS 1.0–1.2 CBC + HMAC records (RFC 2246, RFC 4346, RFC 5246 §6.2.3.2): MAC-then-encrypt by default,
/// encrypt-then-MAC when the encrypt_then_mac extension was negotiated (RFC 7366 §3). TLS 1.1 and 1.2 send an
/// explicit IV at the start of each record; TLS 1.0 chains instead: the first record's IV comes from the key
/// block, every later one is the last ciphertext block of the record before it (RFC 2246 §6.2.3.2).
/// </summary>
internal sealed class TlsCbcRecordProtection : TlsRecordProtection
{
    private readonly TlsCbcCipher _cipher;
    private readonly IncrementalHash _hmac;
    private readonly int _macLength;
    private readonly bool _encryptThenMac;
    /// <summary>TLS 1.0: the IV of the next record; null when each record carries its own (TLS 1.1+).</summary>
    private readonly byte[]? _chainedIv;

    public TlsCbcRecordProtection(TlsCipherSuite suite, ReadOnlySpan<byte> macKey, ReadOnlySpan<byte> encKey,
        ReadOnlySpan<byte> tls10Iv, bool encryptThenMac)
    {
        _cipher = new TlsCbcCipher(suite.Kind, encKey);
        _hmac = IncrementalHash.CreateHMAC(suite.MacHash, macKey);
        _macLength = suite.MacLength;
        _encryptThenMac = encryptThenMac;
        _chainedIv = tls10Iv.IsEmpty ? null : tls10Iv.ToArray();
    }

    public override bool TryDecrypt(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, Span<byte> plaintext,
        out int plaintextLength, out byte contentType)
    {
        plaintextLength = 0;
        contentType = header[0];
        int bs = _cipher.BlockSize;
        int ivLength = _chainedIv is null ? bs : 0;
        // ETM: body = IV? || ciphertext || MAC(seq || header' || IV? || ciphertext); MtE: body = IV? || E(content || MAC || padding).
        int encLength = _encryptThenMac ? body.Length - _macLength : body.Length;
        int ctLength = encLength - ivLength;
        if (ctLength < bs || ctLength % bs != 0 || ctLength > plaintext.Length) return false;
        if (_encryptThenMac && !VerifyMac(_hmac, header, body[..encLength], body[encLength..])) return false;

        var ciphertext = body.Slice(ivLength, ctLength);
        int n = _cipher.Decrypt(ciphertext, _chainedIv ?? body[..bs], plaintext);
        if (!TryStripPadding(plaintext[..n], _encryptThenMac ? 0 : _macLength, out int remaining)) return false;
        int contentLength = _encryptThenMac ? remaining : remaining - _macLength;
        if (!_encryptThenMac && !VerifyMac(_hmac, header, plaintext[..contentLength], plaintext.Slice(contentLength, _macLength)))
            return false;

        if (_chainedIv is not null) ciphertext[^bs..].CopyTo(_chainedIv);
        SequenceNumber++;
        plaintextLength = contentLength;
        return true;
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
        _cipher.Dispose();
        _hmac.Dispose();
    }
}
