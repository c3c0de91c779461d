using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace McpEgress.Protocols.Tls;

/// <summary>
/// TLS 1.0–1.2 stream-cipher records (RFC 5246 §6.2.3.1): body = E(content || MAC). RC4 (BouncyCastle; .NET has
/// none) keeps its key stream across the records of a direction; NULL encryption is the identity, MAC only.
/// The key stream advances even on a record that fails its MAC: the direction stops then anyway, and stream
/// suites never meet TLS 1.3's trial decryption.
/// </summary>
internal sealed class TlsStreamRecordProtection : TlsRecordProtection
{
    private readonly RC4Engine? _rc4;
    private readonly IncrementalHash _hmac;
    private readonly int _macLength;

    public TlsStreamRecordProtection(TlsCipherSuite suite, ReadOnlySpan<byte> macKey, ReadOnlySpan<byte> encKey)
    {
        if (suite.Kind == TlsCipherKind.Rc4)
        {
            _rc4 = new RC4Engine();
            _rc4.Init(false, new KeyParameter(encKey));
        }
        _hmac = IncrementalHash.CreateHMAC(suite.MacHash, macKey);
        _macLength = suite.MacLength;
    }

    public override bool TryDecrypt(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, Span<byte> plaintext,
        out int plaintextLength, out byte contentType)
    {
        plaintextLength = 0;
        contentType = header[0];
        if (body.Length < _macLength || body.Length > plaintext.Length) return false;
        var decrypted = plaintext[..body.Length];
        if (_rc4 is not null) _rc4.ProcessBytes(body, decrypted);
        else body.CopyTo(decrypted);
        int contentLength = body.Length - _macLength;
        if (!VerifyMac(_hmac, header, decrypted[..contentLength], decrypted[contentLength..])) return false;
        SequenceNumber++;
        plaintextLength = contentLength;
        return true;
    }

    public override void Dispose() => _hmac.Dispose();
}
