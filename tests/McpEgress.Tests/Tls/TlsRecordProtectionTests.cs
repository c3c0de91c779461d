using System.Security.Cryptography;
using McpEgress.Protocols.Tls;

namespace McpEgress.Tests.Tls;

/// <summary>
/// Suites with no capture (TLS 1.3 AES-CCM, CCM_8): records sealed here with the framework AEAD from keys derived
/// per RFC 8446 §7.3, then opened by the record layer. Checks tag length, nonce and inner-type handling.
/// </summary>
public class TlsRecordProtectionTests
{
    [Theory]
    [InlineData(0x1304, 16)]
    [InlineData(0x1305, 8)]
    public void Tls13Ccm_SealedRecordOpens_AtItsSequenceOnly(int suiteId, int tagLength)
    {
        var suite = TlsCipherSuite.Find((ushort)suiteId)!;
        var secret = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var key = TlsKeyDerivation.HkdfExpandLabel(HashAlgorithmName.SHA256, secret, "key", default, 16);
        var iv = TlsKeyDerivation.HkdfExpandLabel(HashAlgorithmName.SHA256, secret, "iv", default, 12);
        byte[] inner = [.. "hello"u8, 23, 0, 0]; // content, type application_data, padding
        const ulong seq = 5;
        var nonce = (byte[])iv.Clone();
        for (int i = 0; i < 8; i++) nonce[11 - i] ^= (byte)(seq >> (8 * i));
        int length = inner.Length + tagLength;
        byte[] header = [23, 3, 3, (byte)(length >> 8), (byte)length];
        var ciphertext = new byte[inner.Length];
        var tag = new byte[tagLength];
        using (var ccm = new AesCcm(key)) ccm.Encrypt(nonce, inner, ciphertext, tag, header);
        byte[] body = [.. ciphertext, .. tag];

        using var protection = new Tls13RecordProtection(suite, secret) { SequenceNumber = seq - 1 };
        var plaintext = new byte[64];
        Assert.False(protection.TryDecrypt(header, body, plaintext, out _, out _));
        protection.SequenceNumber = seq;
        Assert.True(protection.TryDecrypt(header, body, plaintext, out int n, out byte type));
        Assert.Equal(23, type);
        Assert.Equal("hello"u8.ToArray(), plaintext[..n]);
    }
}
