namespace McpEgress.Protocols.Tls;

/// <summary>TLS 1.2 AEAD records: AES-GCM/CCM with an 8-byte explicit nonce (RFC 5288 §3), ChaCha20-Poly1305 (RFC 7905 §2).</summary>
internal sealed class Tls12AeadRecordProtection : TlsRecordProtection
{
    private readonly TlsCipherSuite _suite;
    private readonly FixedIv _fixedIv;
    private readonly int _fixedIvLength;
    private readonly TlsAead _aead;

    public Tls12AeadRecordProtection(TlsCipherSuite suite, ReadOnlySpan<byte> key, ReadOnlySpan<byte> fixedIv)
    {
        _suite = suite;
        fixedIv.CopyTo(_fixedIv);
        _fixedIvLength = fixedIv.Length;
        _aead = new TlsAead(suite.Kind, key);
    }

    public override bool TryDecrypt(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, Span<byte> plaintext,
        out int plaintextLength, out byte contentType)
    {
        plaintextLength = 0;
        contentType = header[0];
        bool chacha = _suite.Kind == TlsCipherKind.ChaCha20Poly1305;
        int explicitLength = chacha ? 0 : 8;
        int tagLength = _suite.TagLength;
        int ctLength = body.Length - explicitLength - tagLength;
        if (ctLength < 0 || ctLength > plaintext.Length) return false;

        Span<byte> nonce = stackalloc byte[12];
        ReadOnlySpan<byte> salt = _fixedIv;
        salt = salt[.._fixedIvLength];
        if (chacha) XorNonce(nonce, salt, SequenceNumber);
        else
        {
            salt.CopyTo(nonce);                      // salt (4) from the key block
            body[..8].CopyTo(nonce[4..]);            // nonce_explicit (8) from the record
        }
        Span<byte> aad = stackalloc byte[13];
        WriteTls12Aad(aad, SequenceNumber, header, ctLength);
        var ct = body.Slice(explicitLength, ctLength);
        if (!_aead.TryDecrypt(nonce, ct, body[(explicitLength + ctLength)..], plaintext[..ctLength], aad)) return false;
        SequenceNumber++;
        plaintextLength = ctLength;
        return true;
    }

    public override void Dispose() => _aead.Dispose();
}
