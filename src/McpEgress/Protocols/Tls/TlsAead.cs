using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using GcmBlockCipher = Org.BouncyCastle.Crypto.Modes.GcmBlockCipher;
using Org.BouncyCastle.Crypto.Parameters;

namespace McpEgress.Protocols.Tls;

/// <summary>
/// One AEAD key of a record protection: AES-GCM, ChaCha20-Poly1305 and AES-CCM from the framework; ARIA-GCM and
/// Camellia-GCM (.NET has neither cipher) as BouncyCastle's GCM over its block engine.
/// <para>AES-GCM uses two libraries, each set up on first need: BouncyCastle's GCM (AES-NI engine, PCLMULQDQ GHASH)
/// for short records, the framework's (OpenSSL) for long ones. Most keys decrypt a few short records (a TLS 1.3
/// handshake key one to four, a mail API call's application key a handful), where OpenSSL's set-up per key (a cipher
/// fetch and a context, ~1.2 µs) costs more than the decryption itself, while BouncyCastle sets up in ~0.3 µs and
/// decrypts a record under ~600 bytes faster; on 16 KB records OpenSSL is 3x faster (figures: tls-cost benchmark).
/// So records of <see cref="LargeRecord"/> bytes or more go to OpenSSL once they add up to
/// <see cref="FrameworkAfterBytes"/> (before that, its set-up would cost more than it saves); shorter ones stay on
/// BouncyCastle. Without AES-NI and PCLMULQDQ (BouncyCastle would fall back to table-based AES and GHASH, slower and
/// with 4 KB of tables per key) every AES-GCM record goes to the framework, as before.</para>
/// </summary>
internal sealed class TlsAead : IDisposable
{
    /// <summary>AES-GCM ciphertext from which the framework decrypts faster than BouncyCastle, once set up.</summary>
    internal const int LargeRecord = 1024;
    /// <summary>Large-record AES-GCM ciphertext after which the framework's set-up has paid for itself.</summary>
    internal const int FrameworkAfterBytes = 4096;

    /// <summary>BouncyCastle's AES and GHASH run on AES-NI and PCLMULQDQ on this machine (evaluated at run time).</summary>
    internal static readonly bool BouncyCastleGcmAccelerated =
        AesUtilities.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Pclmulqdq.IsSupported;

    private AesGcm? _gcm;
    private readonly ChaCha20Poly1305? _chacha;
    private readonly AesCcm? _ccm;
    private readonly GcmBlockCipher? _bcGcm;
    private KeyParameter? _bcKey;
    /// <summary>AES-GCM: the key until the framework's cipher is set up with it (then zeroed and dropped).</summary>
    private byte[]? _aesKey;
    private long _largeBytes;
    private readonly byte[]? _nonce;

    public TlsAead(TlsCipherKind kind, ReadOnlySpan<byte> key)
    {
        switch (kind)
        {
            case TlsCipherKind.AesGcm when !BouncyCastleGcmAccelerated: _gcm = new AesGcm(key, 16); break;
            case TlsCipherKind.AesGcm:
                _aesKey = key.ToArray();
                _bcGcm = new GcmBlockCipher(AesUtilities.CreateEngine());
                _bcKey = new KeyParameter(key);
                _nonce = new byte[12];
                break;
            case TlsCipherKind.ChaCha20Poly1305: _chacha = new ChaCha20Poly1305(key); break;
            case TlsCipherKind.AesCcm:
            case TlsCipherKind.AesCcm8: _ccm = new AesCcm(key); break;
            case TlsCipherKind.AriaGcm: _bcGcm = new GcmBlockCipher(new AriaEngine()); _bcKey = new KeyParameter(key); break;
            case TlsCipherKind.CamelliaGcm: _bcGcm = new GcmBlockCipher(new CamelliaEngine()); _bcKey = new KeyParameter(key); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>False when the tag does not verify; <paramref name="plaintext"/> is then garbage and must not be used.</summary>
    public bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        try
        {
            if (_nonce is not null) // AES-GCM
            {
                if (ciphertext.Length >= LargeRecord && (_gcm is not null || (_largeBytes += ciphertext.Length) >= FrameworkAfterBytes))
                    FrameworkAesGcm().Decrypt(nonce, ciphertext, tag, plaintext, aad);
                else BouncyCastleGcm(nonce, ciphertext, tag, plaintext, aad);
            }
            else if (_gcm is not null) _gcm.Decrypt(nonce, ciphertext, tag, plaintext, aad);
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
        // The key schedule and GHASH table are made once: after the first Init a null key reuses them. The
        // parameters object (and, inside Init, GCM's block buffers) are small allocations per record on this path.
        byte[] nonceArray;
        if (_nonce is not null && nonce.Length == _nonce.Length)
        {
            nonce.CopyTo(_nonce); // GCM copies it into its counter block at Init, a decryption keeps no reference
            nonceArray = _nonce;
        }
        else nonceArray = nonce.ToArray();
        _bcGcm!.Init(false, new AeadParameters(_bcKey, 8 * tag.Length, nonceArray));
        _bcKey = null;
        _bcGcm.ProcessAadBytes(aad);
        int n = _bcGcm.ProcessBytes(ciphertext, plaintext);
        n += _bcGcm.ProcessBytes(tag, plaintext[n..]);
        _bcGcm.DoFinal(plaintext[n..]);
    }

    private AesGcm FrameworkAesGcm()
    {
        if (_gcm is null)
        {
            _gcm = new AesGcm(_aesKey!, 16);
            CryptographicOperations.ZeroMemory(_aesKey);
            _aesKey = null;
        }
        return _gcm;
    }

    public void Dispose()
    {
        if (_aesKey is not null) CryptographicOperations.ZeroMemory(_aesKey);
        _gcm?.Dispose();
        _chacha?.Dispose();
        _ccm?.Dispose();
    }
}
