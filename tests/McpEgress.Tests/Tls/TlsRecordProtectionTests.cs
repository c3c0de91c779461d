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
    [Theory]
    [InlineData(0x1301)]
    [InlineData(0x1302)]
    public void Tls13AesGcm_EveryRecordSize(int suiteId)
    {
        // One key's records of every size class in turn (empty, partial and whole blocks, the 4-block stride, 1 KB,
        // 16 KB, and short ones again), sealed here with the framework's AesGcm, must all open in sequence; a record
        // with a flipped bit must fail without advancing the sequence or spoiling the next record.
        var suite = TlsCipherSuite.Find((ushort)suiteId)!;
        var secret = Enumerable.Range(1, TlsKeyDerivation.HashLength(suite.PrfHash)).Select(i => (byte)i).ToArray();
        var key = TlsKeyDerivation.HkdfExpandLabel(suite.PrfHash, secret, "key", default, suite.KeyLength);
        var iv = TlsKeyDerivation.HkdfExpandLabel(suite.PrfHash, secret, "iv", default, 12);
        int[] sizes = [0, 1, 15, 16, 17, 63, 64, 65, 200, 1022, 1029, 1500, 3000, 16383, 100, 16, 2000, 16384, 5];
        using var protection = new Tls13RecordProtection(suite, secret);
        var plaintext = new byte[16 * 1024 + 256];
        var random = new Random(suiteId);
        for (int seq = 0; seq < sizes.Length; seq++)
        {
            var content = new byte[sizes[seq]];
            random.NextBytes(content);
            var record = Seal(key, iv, (ulong)seq, content);
            var tampered = (byte[])record.Clone();
            tampered[5 + random.Next(record.Length - 5)] ^= 0x10;
            Assert.False(protection.TryDecrypt(tampered.AsSpan(0, 5), tampered.AsSpan(5), plaintext, out _, out _));
            Assert.Equal((ulong)seq, protection.SequenceNumber);
            Assert.True(protection.TryDecrypt(record.AsSpan(0, 5), record.AsSpan(5), plaintext, out int n, out byte type), $"record {seq} of {sizes[seq]} bytes");
            Assert.Equal(23, type);
            Assert.Equal(content, plaintext[..n]);
        }
    }

    /// <summary>A TLS 1.3 application_data record: header || AES-GCM(content || 23) || tag, nonce = iv XOR seq.</summary>
    private static byte[] Seal(byte[] key, byte[] iv, ulong seq, byte[] content)
    {
        var nonce = (byte[])iv.Clone();
        for (int i = 0; i < 8; i++) nonce[11 - i] ^= (byte)(seq >> (8 * i));
        byte[] inner = [.. content, 23];
        int length = inner.Length + 16;
        var record = new byte[5 + length];
        record[0] = 23; record[1] = 3; record[2] = 3; record[3] = (byte)(length >> 8); record[4] = (byte)length;
        using var gcm = new AesGcm(key, 16);
        gcm.Encrypt(nonce, inner, record.AsSpan(5, inner.Length), record.AsSpan(5 + inner.Length), record.AsSpan(0, 5));
        return record;
    }
}
