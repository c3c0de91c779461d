using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using GcmBlockCipher = Org.BouncyCastle.Crypto.Modes.GcmBlockCipher;
using Org.BouncyCastle.Crypto.Parameters;

namespace McpEgress.Protocols.Tls;

/// <summary>
/// One AEAD key of a record protection: AES-GCM on <see cref="AesGcmDecryptor"/> (AES-NI and PCLMULQDQ, no allocation
/// per key or record; as fast as OpenSSL on 16 KB records, 3-6x faster on short ones once OpenSSL's set-up per key
/// is counted: tls-cost benchmark), or the framework's AesGcm (OpenSSL) on a CPU without those instructions;
/// ChaCha20-Poly1305 and AES-CCM from the framework; ARIA-GCM and Camellia-GCM (.NET has neither cipher) as
/// BouncyCastle's GCM over its block engine.
/// </summary>
internal sealed class TlsAead : IDisposable
{
    /// <summary>AES-GCM on this CPU: the key schedule and hash key powers, inline (no allocation of their own).</summary>
    private AesGcmDecryptor _aesGcm;
    private readonly AesGcm? _gcm;
    private readonly ChaCha20Poly1305? _chacha;
    private readonly AesCcm? _ccm;
    private readonly GcmBlockCipher? _bcGcm;
    private KeyParameter? _bcKey;

    public TlsAead(TlsCipherKind kind, ReadOnlySpan<byte> key)
    {
        switch (kind)
        {
            case TlsCipherKind.AesGcm when AesGcmDecryptor.IsSupported: _aesGcm.Init(key); break;
            case TlsCipherKind.AesGcm: _gcm = new AesGcm(key, 16); break;
            case TlsCipherKind.ChaCha20Poly1305: _chacha = new ChaCha20Poly1305(key); break;
            case TlsCipherKind.AesCcm:
            case TlsCipherKind.AesCcm8: _ccm = new AesCcm(key); break;
            case TlsCipherKind.AriaGcm: _bcGcm = new GcmBlockCipher(new AriaEngine()); _bcKey = new KeyParameter(key); break;
            case TlsCipherKind.CamelliaGcm: _bcGcm = new GcmBlockCipher(new CamelliaEngine()); _bcKey = new KeyParameter(key); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>False when the tag does not verify; <paramref name="plaintext"/> is then cleared.</summary>
    public bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        if (_aesGcm.IsInitialized) return _aesGcm.TryDecrypt(nonce, ciphertext, tag, plaintext, aad);
        try
        {
            if (_gcm is not null) _gcm.Decrypt(nonce, ciphertext, tag, plaintext, aad);
            else if (_chacha is not null) _chacha.Decrypt(nonce, ciphertext, tag, plaintext, aad);
            else if (_ccm is not null) _ccm.Decrypt(nonce, ciphertext, tag, plaintext, aad);
            else BouncyCastleGcm(nonce, ciphertext, tag, plaintext, aad);
            return true;
        }
        catch (Exception e) when (e is CryptographicException or InvalidCipherTextException)
        {
            plaintext.Clear();
            return false;
        }
    }

    private void BouncyCastleGcm(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        // The key schedule and GHASH table are made once: after the first Init a null key reuses them. The nonce and
        // parameters objects (and, inside Init, GCM's block buffers) are small allocations per record on this path,
        // which only the rare ARIA and Camellia suites take.
        _bcGcm!.Init(false, new AeadParameters(_bcKey, 8 * tag.Length, nonce.ToArray()));
        _bcKey = null;
        _bcGcm.ProcessAadBytes(aad);
        int n = _bcGcm.ProcessBytes(ciphertext, plaintext);
        n += _bcGcm.ProcessBytes(tag, plaintext[n..]);
        _bcGcm.DoFinal(plaintext[n..]);
    }

    public void Dispose()
    {
        _aesGcm.Clear();
        _gcm?.Dispose();
        _chacha?.Dispose();
        _ccm?.Dispose();
    }
}
