using System.Security.Cryptography;
using System.Text;

namespace McpEgress.Protocols.Tls;

/// <summary>The TLS key schedules: TLS 1.3 HKDF-Expand-Label (RFC 8446 §7.1) and the TLS 1.2 PRF (RFC 5246 §5).</summary>
public static class TlsKeyDerivation
{
    /// <summary>
    /// HKDF-Expand-Label(Secret, Label, Context, Length) = HKDF-Expand(Secret, HkdfLabel, Length) where
    /// HkdfLabel = uint16 length || opaque label&lt;7..255&gt; = "tls13 " + Label || opaque context&lt;0..255&gt;.
    /// </summary>
    public static byte[] HkdfExpandLabel(HashAlgorithmName hash, ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> context, int length)
    {
        int labelLen = 6 + Encoding.ASCII.GetByteCount(label);
        Span<byte> info = stackalloc byte[2 + 1 + labelLen + 1 + context.Length];
        info[0] = (byte)(length >> 8);
        info[1] = (byte)length;
        info[2] = (byte)labelLen;
        Encoding.ASCII.GetBytes("tls13 ", info[3..]);
        Encoding.ASCII.GetBytes(label, info[9..]);
        info[3 + labelLen] = (byte)context.Length;
        context.CopyTo(info[(4 + labelLen)..]);
        var output = new byte[length];
        HKDF.Expand(hash, secret, output, info);
        return output;
    }

    /// <summary>
    /// TLS 1.2 PRF(secret, label, seed) = P_hash(secret, label + seed) (RFC 5246 §5), with
    /// P_hash = HMAC(secret, A(1) + seed') + HMAC(secret, A(2) + seed') + ..., A(0) = seed', A(i) = HMAC(secret, A(i-1)).
    /// </summary>
    public static byte[] Prf(HashAlgorithmName hash, ReadOnlySpan<byte> secret, string label, ReadOnlySpan<byte> seed, int length)
    {
        int hashLen = HashLength(hash);
        var labelSeed = new byte[Encoding.ASCII.GetByteCount(label) + seed.Length];
        Encoding.ASCII.GetBytes(label, labelSeed);
        seed.CopyTo(labelSeed.AsSpan(labelSeed.Length - seed.Length));

        var output = new byte[length];
        var a = new byte[hashLen];
        var aAndSeed = new byte[hashLen + labelSeed.Length];
        Span<byte> block = stackalloc byte[hashLen];
        Hmac(hash, secret, labelSeed, a); // A(1)
        for (int produced = 0; produced < length; produced += hashLen)
        {
            a.CopyTo(aAndSeed, 0);
            labelSeed.CopyTo(aAndSeed, hashLen);
            Hmac(hash, secret, aAndSeed, block);
            block[..Math.Min(hashLen, length - produced)].CopyTo(output.AsSpan(produced));
            Hmac(hash, secret, a, a); // A(i+1)
        }
        return output;
    }

    internal static int HashLength(HashAlgorithmName hash) =>
        hash == HashAlgorithmName.SHA384 ? 48 : hash == HashAlgorithmName.SHA1 ? 20 : 32;

    internal static void Hmac(HashAlgorithmName hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> dest)
    {
        if (hash == HashAlgorithmName.SHA384) HMACSHA384.HashData(key, data, dest);
        else if (hash == HashAlgorithmName.SHA1) HMACSHA1.HashData(key, data, dest);
        else HMACSHA256.HashData(key, data, dest);
    }
}
