using System.Security.Cryptography;

namespace McpEgress.Protocols.Tls;

/// <summary>One AEAD key of a record protection: AES-GCM, ChaCha20-Poly1305 or AES-CCM (framework implementations).</summary>
internal sealed class TlsAead : IDisposable
{
    private readonly AesGcm? _gcm;
    private readonly ChaCha20Poly1305? _chacha;
    private readonly AesCcm? _ccm;

    public TlsAead(TlsCipherKind kind, ReadOnlySpan<byte> key)
    {
        switch (kind)
        {
            case TlsCipherKind.AesGcm: _gcm = new AesGcm(key, 16); break;
            case TlsCipherKind.ChaCha20Poly1305: _chacha = new ChaCha20Poly1305(key); break;
            case TlsCipherKind.AesCcm:
            case TlsCipherKind.AesCcm8: _ccm = new AesCcm(key); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>False when the tag does not verify; <paramref name="plaintext"/> is then garbage and must not be used.</summary>
    public bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        try
        {
            if (_gcm is not null) _gcm.Decrypt(nonce, ciphertext, tag, plaintext, aad);
            else if (_chacha is not null) _chacha.Decrypt(nonce, ciphertext, tag, plaintext, aad);
            else _ccm!.Decrypt(nonce, ciphertext, tag, plaintext, aad);
            return true;
        }
        catch (CryptographicException)
        {
            plaintext.Clear();
            return false;
        }
    }

    public void Dispose()
    {
        _gcm?.Dispose();
        _chacha?.Dispose();
        _ccm?.Dispose();
    }
}
