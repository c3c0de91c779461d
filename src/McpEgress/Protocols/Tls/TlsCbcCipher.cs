using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace McpEgress.Protocols.Tls;

/// <summary>
/// CBC decryption under one key without padding removal. The framework implementation where .NET has the cipher
/// (AES, 3DES, DES); a BouncyCastle block engine where it does not (Camellia, ARIA, SEED, IDEA), chained here
/// block by block over spans so a record costs no allocation either way.
/// </summary>
internal sealed class TlsCbcCipher : IDisposable
{
    private readonly SymmetricAlgorithm? _framework;
    private readonly IBlockCipher? _engine;

    public TlsCbcCipher(TlsCipherKind kind, ReadOnlySpan<byte> key)
    {
        switch (kind)
        {
            case TlsCipherKind.AesCbc: _framework = Aes.Create(); break;
            case TlsCipherKind.TripleDesCbc: _framework = TripleDES.Create(); break;
            case TlsCipherKind.DesCbc: _framework = DES.Create(); break;
            case TlsCipherKind.CamelliaCbc: _engine = new CamelliaEngine(); break;
            case TlsCipherKind.AriaCbc: _engine = new AriaEngine(); break;
            case TlsCipherKind.SeedCbc: _engine = new SeedEngine(); break;
            case TlsCipherKind.IdeaCbc: _engine = new IdeaEngine(); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
        if (_framework is not null) _framework.Key = key.ToArray();
        else _engine!.Init(false, new KeyParameter(key));
        BlockSize = _framework is not null ? _framework.BlockSize / 8 : _engine!.GetBlockSize();
    }

    public int BlockSize { get; }

    /// <summary>
    /// Decrypts whole blocks of <paramref name="ciphertext"/> chained from <paramref name="iv"/> into
    /// <paramref name="plaintext"/> (which must not overlap it). Returns the bytes written.
    /// </summary>
    public int Decrypt(ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> iv, Span<byte> plaintext)
    {
        if (_framework is not null) return _framework.DecryptCbc(ciphertext, iv, plaintext, PaddingMode.None);
        int bs = BlockSize;
        var previous = iv;
        for (int off = 0; off < ciphertext.Length; off += bs)
        {
            var block = ciphertext.Slice(off, bs);
            var output = plaintext.Slice(off, bs);
            _engine!.ProcessBlock(block, output);
            for (int i = 0; i < bs; i++) output[i] ^= previous[i];
            previous = block;
        }
        return ciphertext.Length;
    }

    public void Dispose() => _framework?.Dispose();
}
