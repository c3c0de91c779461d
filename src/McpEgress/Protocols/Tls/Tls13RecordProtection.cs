using System.Security.Cryptography;

namespace McpEgress.Protocols.Tls;

/// <summary>TLS 1.3 record protection from a traffic secret (RFC 8446 §5.2, §7.3).</summary>
internal sealed class Tls13RecordProtection : TlsRecordProtection
{
    private readonly TlsCipherSuite _suite;
    private readonly ReadOnlyMemory<byte> _secret;
    private readonly FixedIv _iv;
    private readonly TlsAead _aead;

    /// <param name="trafficSecret">Kept (not copied) for a KeyUpdate: a key log entry's secrets are never changed in place.</param>
    public Tls13RecordProtection(TlsCipherSuite suite, ReadOnlyMemory<byte> trafficSecret)
    {
        _suite = suite;
        _secret = trafficSecret;
        Span<byte> key = stackalloc byte[suite.KeyLength];
        TlsKeyDerivation.TrafficKeyAndIv(suite.PrfHash, trafficSecret.Span, key, _iv);
        _aead = new TlsAead(suite.Kind, key);
        CryptographicOperations.ZeroMemory(key);
    }

    /// <summary>KeyUpdate (RFC 8446 §7.2): application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length).</summary>
    public Tls13RecordProtection NextGeneration() => new(_suite,
        TlsKeyDerivation.HkdfExpandLabel(_suite.PrfHash, _secret.Span, "traffic upd", default, TlsKeyDerivation.HashLength(_suite.PrfHash)));

    public override bool TryDecrypt(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, Span<byte> plaintext,
        out int plaintextLength, out byte contentType)
    {
        plaintextLength = 0;
        contentType = 0;
        int tagLength = _suite.TagLength;
        if (body.Length < tagLength + 1 || body.Length - tagLength > plaintext.Length) return false;
        Span<byte> nonce = stackalloc byte[12];
        XorNonce(nonce, _iv, SequenceNumber);
        int ctLength = body.Length - tagLength;
        // additional_data is the record header itself (RFC 8446 §5.2).
        if (!_aead.TryDecrypt(nonce, body[..ctLength], body[ctLength..], plaintext[..ctLength], header)) return false;
        SequenceNumber++;
        // TLSInnerPlaintext = content || type || zeros (§5.2): the last non-zero byte is the real type.
        int i = ctLength - 1;
        while (i >= 0 && plaintext[i] == 0) i--;
        if (i < 0) return true; // all padding: contentType 0 tells the caller it is malformed
        contentType = plaintext[i];
        plaintextLength = i;
        return true;
    }

    public override void Dispose() => _aead.Dispose();
}
