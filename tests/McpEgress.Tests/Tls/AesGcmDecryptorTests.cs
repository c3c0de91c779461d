using System.Security.Cryptography;
using McpEgress.Protocols.Tls;

namespace McpEgress.Tests.Tls;

/// <summary>
/// The hand-written AES-GCM decryptor: the McGrew–Viega GCM specification's test cases (AES-128: 1–4, AES-256:
/// 13–16), a differential check against the framework's AesGcm over random keys, nonces, AAD and every plaintext
/// length up to 2000 bytes plus 16384, and rejection of any tampered byte with the output cleared.
/// </summary>
public class AesGcmDecryptorTests
{
    private const string K1 = "feffe9928665731c6d6a8f9467308308";
    private const string Iv = "cafebabefacedbaddecaf888";
    private const string P64 = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
    private const string P60 = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
    private const string Aad20 = "feedfacedeadbeeffeedfacedeadbeefabaddad2";

    [SkippableTheory]
    // AES-128: test cases 1-4 (zero key and empty / one-block plaintext; four full blocks; 60 bytes with 20 of AAD).
    [InlineData("00000000000000000000000000000000", "000000000000000000000000", "", "", "", "58e2fccefa7e3061367f1d57a4e7455a")]
    [InlineData("00000000000000000000000000000000", "000000000000000000000000", "", "00000000000000000000000000000000",
        "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf")]
    [InlineData(K1, Iv, "", P64, "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
        + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985", "4d5c2af327cd64a62cf35abd2ba6fab4")]
    [InlineData(K1, Iv, Aad20, P60, "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
        + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091", "5bc94fbc3221a5db94fae95ae7121a47")]
    // AES-256: test cases 13-16.
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000", "", "", "",
        "530f8afbc74536b9a963b4f1c4cb738b")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000", "",
        "00000000000000000000000000000000", "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919")]
    [InlineData(K1 + K1, Iv, "", P64, "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
        + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad", "b094dac5d93471bdec1a502270e3cc6c")]
    [InlineData(K1 + K1, Iv, Aad20, P60, "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
        + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662", "76fc6ece0f4e1768cddf8853bb2d551b")]
    public void GcmSpecTestCases_Decrypt(string key, string nonce, string aad, string plaintext, string ciphertext, string tag)
    {
        Skip.IfNot(AesGcmDecryptor.IsSupported, "no AES-NI/PCLMULQDQ on this CPU");
        var d = new AesGcmDecryptor();
        d.Init(Convert.FromHexString(key));
        var ct = Convert.FromHexString(ciphertext);
        var output = new byte[ct.Length];
        Assert.True(d.TryDecrypt(Convert.FromHexString(nonce), ct, Convert.FromHexString(tag), output, Convert.FromHexString(aad)));
        Assert.Equal(plaintext, Convert.ToHexStringLower(output));

        // In place: the plaintext overwrites the ciphertext.
        Assert.True(d.TryDecrypt(Convert.FromHexString(nonce), ct, Convert.FromHexString(tag), ct, Convert.FromHexString(aad)));
        Assert.Equal(plaintext, Convert.ToHexStringLower(ct));
    }

    [SkippableFact]
    public void IsSupported_WhereverAesNiAndPclmulqdqAre()
    {
        // On x64 the framework has SSSE3 and SSE4.1 wherever it has AES-NI: the decryptor is used exactly where
        // BouncyCastle's accelerated GCM used to be.
        Skip.IfNot(System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64);
        Assert.Equal(System.Runtime.Intrinsics.X86.Aes.IsSupported && System.Runtime.Intrinsics.X86.Pclmulqdq.IsSupported,
            AesGcmDecryptor.IsSupported);
    }

    [SkippableTheory]
    [InlineData(16)]
    [InlineData(32)]
    public void MatchesFrameworkAesGcm_EveryLengthTo2000And16K(int keySize)
    {
        Skip.IfNot(AesGcmDecryptor.IsSupported, "no AES-NI/PCLMULQDQ on this CPU");
        int seed = TestSeed.For(nameof(MatchesFrameworkAesGcm_EveryLengthTo2000And16K) + keySize);
        var random = new Random(seed);
        var lengths = Enumerable.Range(0, 2001).Append(16384).Append(16401 - 22);
        var output = new byte[16384 + 64];
        foreach (int length in lengths)
        {
            var key = new byte[keySize];
            var nonce = new byte[12];
            random.NextBytes(key);
            random.NextBytes(nonce);
            // TLS uses 5 (1.3) and 13 (1.2) bytes of AAD; other lengths check the AAD's own block handling.
            int aadLength = (length % 7) switch { 0 => 5, 1 => 13, 2 => 0, 3 => 16, 4 => 64 + length % 40, _ => random.Next(200) };
            var aad = new byte[aadLength];
            var plaintext = new byte[length];
            random.NextBytes(aad);
            random.NextBytes(plaintext);
            var ciphertext = new byte[length];
            var tag = new byte[16];
            using (var gcm = new AesGcm(key, 16)) gcm.Encrypt(nonce, plaintext, ciphertext, tag, aad);

            var d = new AesGcmDecryptor();
            d.Init(key);
            // Output at an odd offset: nothing may assume aligned buffers.
            var dest = output.AsSpan(3, length);
            Assert.True(d.TryDecrypt(nonce, ciphertext, tag, dest, aad), $"length {length}, AAD {aadLength}, seed {seed}");
            Assert.True(dest.SequenceEqual(plaintext), $"length {length}, AAD {aadLength}, seed {seed}");
        }
    }

    [SkippableFact]
    public void OneKey_ManyRecords_LikeATlsConnection()
    {
        // One key schedule serves every record of a direction; nonces differ per record.
        Skip.IfNot(AesGcmDecryptor.IsSupported, "no AES-NI/PCLMULQDQ on this CPU");
        int seed = TestSeed.For(nameof(OneKey_ManyRecords_LikeATlsConnection));
        var random = new Random(seed);
        var key = new byte[16];
        random.NextBytes(key);
        var d = new AesGcmDecryptor();
        d.Init(key);
        using var gcm = new AesGcm(key, 16);
        var output = new byte[20000];
        for (int i = 0; i < 300; i++)
        {
            var nonce = new byte[12];
            random.NextBytes(nonce);
            var plaintext = new byte[random.Next(i % 10 == 0 ? 16385 : 1500)];
            random.NextBytes(plaintext);
            byte[] aad = [23, 3, 3, (byte)((plaintext.Length + 16) >> 8), (byte)(plaintext.Length + 16)];
            var ciphertext = new byte[plaintext.Length];
            var tag = new byte[16];
            gcm.Encrypt(nonce, plaintext, ciphertext, tag, aad);
            Assert.True(d.TryDecrypt(nonce, ciphertext, tag, output.AsSpan(0, plaintext.Length), aad), $"record {i}, seed {seed}");
            Assert.True(output.AsSpan(0, plaintext.Length).SequenceEqual(plaintext), $"record {i}, seed {seed}");
        }
    }

    [SkippableTheory]
    [InlineData(16)]
    [InlineData(32)]
    public void AnyTamperedByte_IsRejected_AndTheOutputCleared(int keySize)
    {
        Skip.IfNot(AesGcmDecryptor.IsSupported, "no AES-NI/PCLMULQDQ on this CPU");
        int seed = TestSeed.For(nameof(AnyTamperedByte_IsRejected_AndTheOutputCleared) + keySize);
        var random = new Random(seed);
        foreach (int length in new[] { 0, 1, 15, 16, 17, 63, 64, 65, 200, 1000, 1024, 4099, 16384 })
        {
            var key = new byte[keySize];
            var nonce = new byte[12];
            var aad = new byte[13];
            var plaintext = new byte[length];
            random.NextBytes(key);
            random.NextBytes(nonce);
            random.NextBytes(aad);
            random.NextBytes(plaintext);
            var ciphertext = new byte[length];
            var tag = new byte[16];
            using (var gcm = new AesGcm(key, 16)) gcm.Encrypt(nonce, plaintext, ciphertext, tag, aad);
            var d = new AesGcmDecryptor();
            d.Init(key);
            var output = new byte[length];

            // Every field, one flipped bit at a random place: ciphertext, tag, AAD, nonce; and a wrong key.
            for (int field = 0; field < 5; field++)
            {
                if (field == 0 && length == 0) continue;
                var c = (byte[])ciphertext.Clone(); var t = (byte[])tag.Clone(); var a = (byte[])aad.Clone(); var n = (byte[])nonce.Clone();
                var target = field switch { 0 => c, 1 => t, 2 => a, _ => n };
                var check = d;
                if (field == 4)
                {
                    var otherKey = (byte[])key.Clone();
                    otherKey[random.Next(keySize)] ^= 0x01;
                    check = new AesGcmDecryptor();
                    check.Init(otherKey);
                }
                else target[random.Next(target.Length)] ^= (byte)(1 << random.Next(8));
                output.AsSpan().Fill(0xAA);
                Assert.False(check.TryDecrypt(n, c, t, output, a), $"field {field}, length {length}, seed {seed}");
                Assert.True(output.AsSpan().IndexOfAnyExcept((byte)0) < 0, $"output not cleared: field {field}, length {length}, seed {seed}");
            }
            // A truncated AAD (the length is authenticated too) fails; the untouched record still opens.
            Assert.False(d.TryDecrypt(nonce, ciphertext, tag, output, aad.AsSpan(0, 12)));
            Assert.True(d.TryDecrypt(nonce, ciphertext, tag, output, aad));
            Assert.Equal(plaintext, output);
        }
    }

    [SkippableFact]
    public void Clear_ForgetsTheKey()
    {
        Skip.IfNot(AesGcmDecryptor.IsSupported, "no AES-NI/PCLMULQDQ on this CPU");
        var d = new AesGcmDecryptor();
        d.Init(new byte[16]);
        Assert.True(d.IsInitialized);
        d.Clear();
        Assert.False(d.IsInitialized);
        Assert.Throws<InvalidOperationException>(() => d.TryDecrypt(new byte[12], [], new byte[16], [], []));
    }
}
