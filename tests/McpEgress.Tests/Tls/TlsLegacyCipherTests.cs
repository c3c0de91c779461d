using System.Security.Cryptography;
using McpEgress.Protocols.Tls;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using static McpEgress.Tests.Tls.TlsTestUtil;

namespace McpEgress.Tests.Tls;

/// <summary>
/// The legacy bulk ciphers on published known answers, and TLS 1.0–1.2 CBC and stream records for suites no
/// program here negotiates (IDEA, single DES; SEED, 3DES and RC4 also have captures in captures/tls-suites).
/// Records are sealed with BouncyCastle's own CBC mode and opened by the record layer (framework DES/3DES on
/// the decrypting side, so the two implementations check each other).
/// </summary>
public class TlsLegacyCipherTests
{
    /// <summary>One block through CBC with a zero IV is one block of ECB: the published single-block vectors apply.</summary>
    [Theory]
    // SEED: RFC 4269 Appendix B, first vector (zero key).
    [InlineData(TlsCipherKind.SeedCbc, "00000000000000000000000000000000", "000102030405060708090A0B0C0D0E0F", "5EBAC6E0054E166819AFF1CC6D346CDB")]
    // SEED: RFC 4269 Appendix B, second vector.
    [InlineData(TlsCipherKind.SeedCbc, "000102030405060708090A0B0C0D0E0F", "00000000000000000000000000000000", "C11F22F20140505084483597E4370F43")]
    // IDEA: the example of Lai's thesis (ETH 1992) and the IDEA specification: key (1,2,...,8), plaintext (0,1,2,3).
    [InlineData(TlsCipherKind.IdeaCbc, "00010002000300040005000600070008", "0000000100020003", "11FBED2B01986DE5")]
    // Camellia-128: RFC 3713 Appendix A.
    [InlineData(TlsCipherKind.CamelliaCbc, "0123456789ABCDEFFEDCBA9876543210", "0123456789ABCDEFFEDCBA9876543210", "67673138549669730857065648EABE43")]
    // ARIA-128: RFC 5794 Appendix A.1.
    [InlineData(TlsCipherKind.AriaCbc, "000102030405060708090A0B0C0D0E0F", "00112233445566778899AABBCCDDEEFF", "D718FBD6AB644C739DA95F3BE6451778")]
    // DES: FIPS 81 / the classic "Now is t" example (key 0123456789ABCDEF).
    [InlineData(TlsCipherKind.DesCbc, "0123456789ABCDEF", "4E6F772069732074", "3FA40E8A984D4815")]
    public void BlockCipher_KnownAnswer(TlsCipherKind kind, string key, string plaintext, string ciphertext)
    {
        using var cipher = new TlsCbcCipher(kind, Hex(key));
        var ct = Hex(ciphertext);
        var output = new byte[ct.Length];
        Assert.Equal(ct.Length, cipher.Decrypt(ct, new byte[cipher.BlockSize], output));
        Assert.Equal(Hex(plaintext), output);
    }

    [Fact]
    public void Rc4_KeyStreamIsRfc6229()
    {
        // RFC 6229 §2, 40-bit key 0102030405: key stream bytes 0-15 and 16-31. A record of 16 zero bytes plus its
        // 16-byte HMAC-MD5 is exactly those 32 bytes: the ciphertext of the zeros is the key stream itself.
        var keyStream = Hex("b2396305f03dc027ccc3524a0a1118a8 6982944f18fc82d589c403a47a0d0919");
        var suite = TlsCipherSuite.Find(0x0004)!; // TLS_RSA_WITH_RC4_128_MD5
        var macKey = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        byte[] header = [23, 3, 1, 0, 32];
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.MD5, macKey);
        var mac = Mac(hmac, 0, header, new byte[16]);
        byte[] body = [.. keyStream[..16], .. mac.Select((b, i) => (byte)(b ^ keyStream[16 + i]))];
        using var protection = new TlsStreamRecordProtection(suite, macKey, Hex("0102030405"));
        var plaintext = new byte[64];
        Assert.True(protection.TryDecrypt(header, body, plaintext, out int n, out _));
        Assert.Equal(new byte[16], plaintext[..n]);
    }

    public static TheoryData<int, ushort, bool> LegacyCbcSuites() => new()
    {
        // suite, record version, encrypt_then_mac
        { 0x0007, 0x0302, false }, // IDEA-CBC-SHA on TLS 1.1: explicit IV, 8-byte blocks
        { 0x0007, 0x0301, false }, // IDEA-CBC-SHA on TLS 1.0: chained IV
        { 0x0009, 0x0301, true },  // DES-CBC-SHA on TLS 1.0 with encrypt_then_mac
        { 0x000A, 0x0302, true },  // 3DES-EDE-CBC-SHA on TLS 1.1 with encrypt_then_mac
        { 0x0096, 0x0301, false }, // SEED-CBC-SHA on TLS 1.0
        { 0xC03C, 0x0303, false }, // ARIA-128-CBC-SHA256 (no program here offers ARIA-CBC)
    };

    /// <summary>Three records in a row: TLS 1.0's chained IV and the sequence number must carry from one to the next.</summary>
    [Theory]
    [MemberData(nameof(LegacyCbcSuites))]
    public void CbcRecords_SealedByBouncyCastle_OpenInOrder(int suiteId, ushort version, bool etm)
    {
        var suite = TlsCipherSuite.Find((ushort)suiteId)!;
        var macKey = Enumerable.Range(1, suite.MacLength).Select(i => (byte)i).ToArray();
        var encKey = Enumerable.Range(0x40, suite.KeyLength).Select(i => (byte)i).ToArray();
        var firstIv = Enumerable.Range(0x80, suite.BlockSize).Select(i => (byte)i).ToArray();
        bool chained = version == 0x0301;
        using var protection = new TlsCbcRecordProtection(suite, macKey, encKey, chained ? firstIv : default, etm);
        var sealer = new CbcRecordSealer(suite, macKey, encKey, firstIv, chained, etm, version);

        var plaintext = new byte[256];
        foreach (var message in new[] { "MAIL FROM:<a@corp.example>\r\n", "", "RCPT TO:<phan@giftshop.club>\r\n" })
        {
            var (header, body) = sealer.Seal(System.Text.Encoding.ASCII.GetBytes(message));
            Assert.True(protection.TryDecrypt(header, body, plaintext, out int n, out byte type), $"record '{message}'");
            Assert.Equal(23, type);
            Assert.Equal(message, System.Text.Encoding.ASCII.GetString(plaintext, 0, n));
        }
        Assert.Equal(3UL, protection.SequenceNumber);

        // A flipped ciphertext bit fails the MAC (or the padding), and the sequence number stays.
        var (h, b) = sealer.Seal("DATA\r\n"u8.ToArray());
        b[^1] ^= 1;
        Assert.False(protection.TryDecrypt(h, b, plaintext, out _, out _));
        Assert.Equal(3UL, protection.SequenceNumber);
    }

    [Theory]
    [InlineData(0x0004)] // RC4-128-MD5
    [InlineData(0x0005)] // RC4-128-SHA
    [InlineData(0x0002)] // NULL-SHA
    public void StreamRecords_KeyStreamCarriesAcrossRecords(int suiteId)
    {
        var suite = TlsCipherSuite.Find((ushort)suiteId)!;
        var macKey = Enumerable.Range(1, suite.MacLength).Select(i => (byte)i).ToArray();
        var encKey = Enumerable.Range(0x40, suite.KeyLength).Select(i => (byte)i).ToArray();
        using var protection = new TlsStreamRecordProtection(suite, macKey, encKey);
        RC4Engine? rc4 = null;
        if (suite.Kind == TlsCipherKind.Rc4)
        {
            rc4 = new RC4Engine();
            rc4.Init(true, new KeyParameter(encKey));
        }
        using var hmac = IncrementalHash.CreateHMAC(suite.MacHash, macKey);
        var plaintext = new byte[256];
        ulong seq = 0;
        foreach (var message in new[] { "EHLO client\r\n", "RCPT TO:<phan@giftshop.club>\r\n" })
        {
            var content = System.Text.Encoding.ASCII.GetBytes(message);
            int length = content.Length + suite.MacLength;
            byte[] header = [23, 3, 3, (byte)(length >> 8), (byte)length];
            var mac = Mac(hmac, seq++, header, content);
            byte[] body = [.. content, .. mac];
            rc4?.ProcessBytes(body, 0, body.Length, body, 0);
            if (suite.Kind == TlsCipherKind.Null) Assert.Equal(content, body[..content.Length]);
            Assert.True(protection.TryDecrypt(header, body, plaintext, out int n, out _));
            Assert.Equal(message, System.Text.Encoding.ASCII.GetString(plaintext, 0, n));
        }
    }

    [Theory]
    [InlineData(0xC060)] // ARIA-128-GCM
    [InlineData(0xC08B)] // Camellia-256-GCM
    public void BouncyCastleGcm_RecordsOpen_WrongTagFails(int suiteId)
    {
        var suite = TlsCipherSuite.Find((ushort)suiteId)!;
        var key = Enumerable.Range(0x40, suite.KeyLength).Select(i => (byte)i).ToArray();
        byte[] salt = [1, 2, 3, 4];
        using var protection = new Tls12AeadRecordProtection(suite, key, salt);
        var plaintext = new byte[256];
        for (ulong seq = 0; seq < 3; seq++)
        {
            var content = System.Text.Encoding.ASCII.GetBytes($"record {seq}\r\n");
            var explicitNonce = BitConverter.GetBytes(seq + 1000).Reverse().ToArray();
            int length = 8 + content.Length + 16;
            byte[] header = [23, 3, 3, (byte)(length >> 8), (byte)length];
            byte[] aad = [.. BitConverter.GetBytes(seq).Reverse(), 23, 3, 3, (byte)(content.Length >> 8), (byte)content.Length];
            IBlockCipher engine = suite.Kind == TlsCipherKind.AriaGcm ? new AriaEngine() : new CamelliaEngine();
            var gcm = new GcmBlockCipher(engine);
            gcm.Init(true, new AeadParameters(new KeyParameter(key), 128, [.. salt, .. explicitNonce], aad));
            var sealedBytes = new byte[content.Length + 16];
            int n = gcm.ProcessBytes(content, 0, content.Length, sealedBytes, 0);
            gcm.DoFinal(sealedBytes, n);
            byte[] body = [.. explicitNonce, .. sealedBytes];
            if (seq == 2)
            {
                body[^1] ^= 1;
                Assert.False(protection.TryDecrypt(header, body, plaintext, out _, out _));
                Assert.Equal(2UL, protection.SequenceNumber);
                continue;
            }
            Assert.True(protection.TryDecrypt(header, body, plaintext, out int got, out _));
            Assert.Equal(content, plaintext[..got]);
        }
    }

    /// <summary>
    /// Per-record allocation of the CBC path (1000-byte records): none with the BouncyCastle SEED and IDEA
    /// engines (chained over spans here). The framework one-shot DecryptCbc (AES, 3DES, DES) makes its small cipher
    /// context per call (the AES-CBC path always did); BouncyCastle's Camellia and ARIA engines allocate per block.
    /// </summary>
    [Theory]
    [InlineData(0x0096, 0x0301, 0)]     // SEED, chained IV
    [InlineData(0x0084, 0x0302, 4096)]  // Camellia-256: ~40 B per 16-byte block inside CamelliaEngine
    [InlineData(0x0007, 0x0302, 0)]     // IDEA
    [InlineData(0x000A, 0x0302, 256)]   // 3DES, framework one-shot
    [InlineData(0x002F, 0x0303, 256)]   // AES, framework one-shot
    [InlineData(0xC03C, 0x0303, 4096)]  // ARIA-CBC: ~40 B per 16-byte block inside AriaEngine
    public void CbcRecordPath_Allocation(int suiteId, ushort version, int maxBytesPerRecord)
    {
        var suite = TlsCipherSuite.Find((ushort)suiteId)!;
        var macKey = new byte[suite.MacLength];
        var encKey = Enumerable.Range(0x40, suite.KeyLength).Select(i => (byte)i).ToArray();
        var iv = new byte[suite.BlockSize];
        bool chained = version == 0x0301;
        using var protection = new TlsCbcRecordProtection(suite, macKey, encKey, chained ? iv : default, false);
        var sealer = new CbcRecordSealer(suite, macKey, encKey, iv, chained, false, version);
        var records = Enumerable.Range(0, 201).Select(_ => sealer.Seal(new byte[1000])).ToArray();
        var plaintext = new byte[2048];
        Assert.True(protection.TryDecrypt(records[0].Header, records[0].Body, plaintext, out _, out _)); // warm-up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i < records.Length; i++) Assert.True(protection.TryDecrypt(records[i].Header, records[i].Body, plaintext, out _, out _));
        long perRecord = (GC.GetAllocatedBytesForCurrentThread() - before) / 200;
        Assert.True(perRecord <= maxBytesPerRecord, $"{suite.Name}: {perRecord} B per record");
    }

    [Fact]
    public void Rc4RecordPath_DoesNotAllocate()
    {
        var suite = TlsCipherSuite.Find(0x0005)!;
        var macKey = new byte[20];
        var key = new byte[16];
        using var protection = new TlsStreamRecordProtection(suite, macKey, key);
        var rc4 = new RC4Engine();
        rc4.Init(true, new KeyParameter(key));
        using var hmac = IncrementalHash.CreateHMAC(suite.MacHash, macKey);
        var records = new List<(byte[] Header, byte[] Body)>();
        for (ulong seq = 0; seq < 201; seq++)
        {
            byte[] header = [23, 3, 3, (1000 + 20) >> 8, (1000 + 20) & 0xFF];
            byte[] body = [.. new byte[1000], .. Mac(hmac, seq, header, new byte[1000])];
            rc4.ProcessBytes(body, 0, body.Length, body, 0);
            records.Add((header, body));
        }
        var plaintext = new byte[2048];
        Assert.True(protection.TryDecrypt(records[0].Header, records[0].Body, plaintext, out _, out _));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1; i < records.Count; i++) Assert.True(protection.TryDecrypt(records[i].Header, records[i].Body, plaintext, out _, out _));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static byte[] Mac(IncrementalHash hmac, ulong seq, byte[] header, ReadOnlySpan<byte> data)
    {
        byte[] aad = [.. BitConverter.GetBytes(seq).Reverse(), header[0], header[1], header[2], (byte)(data.Length >> 8), (byte)data.Length];
        hmac.AppendData(aad);
        hmac.AppendData(data);
        return hmac.GetHashAndReset();
    }

    /// <summary>Writes TLS 1.0–1.2 CBC records with BouncyCastle's CBC mode: MAC-then-encrypt or encrypt-then-MAC.</summary>
    private sealed class CbcRecordSealer(TlsCipherSuite suite, byte[] macKey, byte[] encKey, byte[] firstIv, bool chained, bool etm, ushort version)
    {
        private readonly IncrementalHash _hmac = IncrementalHash.CreateHMAC(suite.MacHash, macKey);
        private byte[] _iv = firstIv;
        private ulong _seq;
        private int _explicitIvCounter;

        public (byte[] Header, byte[] Body) Seal(byte[] content)
        {
            int bs = suite.BlockSize;
            var iv = chained ? _iv : Enumerable.Range(++_explicitIvCounter * 7, bs).Select(i => (byte)i).ToArray();
            int macLength = suite.MacLength;
            int toPad = etm ? content.Length : content.Length + macLength;
            int pad = bs - 1 - toPad % bs;
            byte[] Header(int length) => [23, (byte)(version >> 8), (byte)version, (byte)(length >> 8), (byte)length];

            var inner = new List<byte>(content);
            if (!etm) inner.AddRange(Mac(_hmac, _seq, Header(0), content));
            inner.AddRange(Enumerable.Repeat((byte)pad, pad + 1));
            var ciphertext = Encrypt(inner.ToArray(), iv);
            if (chained) _iv = ciphertext[^bs..];
            byte[] ivPart = chained ? [] : iv;
            byte[] body = [.. ivPart, .. ciphertext];
            if (etm) body = [.. body, .. Mac(_hmac, _seq, Header(0), body)];
            _seq++;
            return (Header(body.Length), body);
        }

        private byte[] Encrypt(byte[] data, byte[] iv)
        {
            IBlockCipher engine = suite.Kind switch
            {
                TlsCipherKind.IdeaCbc => new IdeaEngine(),
                TlsCipherKind.DesCbc => new DesEngine(),
                TlsCipherKind.TripleDesCbc => new DesEdeEngine(),
                TlsCipherKind.SeedCbc => new SeedEngine(),
                TlsCipherKind.AriaCbc => new AriaEngine(),
                TlsCipherKind.CamelliaCbc => new CamelliaEngine(),
                TlsCipherKind.AesCbc => new AesEngine(),
                _ => throw new ArgumentOutOfRangeException(nameof(suite)),
            };
            var cbc = new CbcBlockCipher(engine);
            cbc.Init(true, new ParametersWithIV(new KeyParameter(encKey), iv));
            var output = new byte[data.Length];
            for (int off = 0; off < data.Length; off += cbc.GetBlockSize()) cbc.ProcessBlock(data, off, output, off);
            return output;
        }
    }
}
