using System.Security.Cryptography;
using McpEgress.Protocols.Tls;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace McpEgress.Benchmarks;

/// <summary>
/// <c>tls-cost</c>: what TLS decryption costs per connection (key log lookups, TLS 1.3 key schedule, AEAD set-up) and
/// per record (decrypt MB/s by record size), through the real <see cref="TlsKeyLog"/> and record protection, beside
/// the library alternatives each step could use. In process, single-threaded, best of several rounds.
/// </summary>
internal static class TlsCostBenchmark
{
    private const int Rounds = 7;

    public static int Run(string? suiteId = null)
    {
        Console.WriteLine($"TLS cost (thread CPU time, best of {Rounds} rounds)");
        ushort[] suites = suiteId is null ? [0x1302, 0x1301, 0x1303] : [Convert.ToUInt16(suiteId, 16)];
        foreach (ushort id in suites)
        {
            var suite = TlsCipherSuite.Find(id)!;
            Console.WriteLine($"-- {suite.Name}");
            Connection(suite);
            Components(suite);
            Decrypt(suite);
        }
        return 0;
    }

    /// <summary>
    /// One TLS 1.3 connection's key work as TlsSession does it (Want, four secrets, four record protections), alone and
    /// with the records of a real mail API connection (captures/api/postmark.pcap, first connection: the server's
    /// handshake flight in 4 records of 38, 1211, 281 and 69 bytes, the client's Finished in 69, then requests of 598
    /// and 797 and responses of 282, 282 and 348 bytes).
    /// </summary>
    private static void Connection(TlsCipherSuite suite)
    {
        int hashLength = TlsKeyDerivation.HashLength(suite.PrfHash);
        const int sessions = 2_000;
        var log = new TlsKeyLog();
        var randoms = new byte[sessions][];
        var text = new System.Text.StringBuilder();
        var rng = new Random(1);
        TlsSecretKind[] kinds = [TlsSecretKind.ServerHandshakeTrafficSecret, TlsSecretKind.ClientHandshakeTrafficSecret,
            TlsSecretKind.ServerTrafficSecret0, TlsSecretKind.ClientTrafficSecret0];
        string[] labels = ["SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_TRAFFIC_SECRET_0", "CLIENT_TRAFFIC_SECRET_0", "EXPORTER_SECRET"];
        int[][] recordLengths = [[38, 1211, 281, 69], [69], [282, 282, 348], [598, 797]];
        var records = new byte[sessions][][][];
        for (int i = 0; i < sessions; i++)
        {
            randoms[i] = new byte[32];
            rng.NextBytes(randoms[i]);
            records[i] = new byte[kinds.Length][][];
            for (int k = 0; k < labels.Length; k++)
            {
                var secret = new byte[hashLength];
                rng.NextBytes(secret);
                text.Append(labels[k]).Append(' ').Append(Convert.ToHexString(randoms[i])).Append(' ').Append(Convert.ToHexString(secret)).Append('\n');
                if (k < kinds.Length)
                    records[i][k] = recordLengths[k].Select((length, seq) => SealRecord(suite, secret, (ulong)seq, length - 17)).ToArray();
            }
        }
        log.AddText(text.ToString());
        var plaintext = new byte[16 * 1024 + 256];

        int next = 0;
        Measure("key log Want + 4 lookups", 20_000, "µs/conn", () =>
        {
            var r = randoms[next++ % sessions];
            log.Want(r);
            foreach (var k in kinds) log.TryGetSecret(r, k, out _);
        });
        Measure("connection: lookups + 4 record protections, no record", 5_000, "µs/conn", () =>
        {
            var r = randoms[next++ % sessions];
            log.Want(r);
            foreach (var k in kinds)
            {
                log.TryGetSecret(r, k, out var s);
                new Tls13RecordProtection(suite, s).Dispose();
            }
        });
        bool ok = true;
        Measure("connection: the above + decrypt 10 postmark-sized records", 5_000, "µs/conn", () =>
        {
            int i = next++ % sessions;
            log.Want(randoms[i]);
            for (int k = 0; k < kinds.Length; k++)
            {
                log.TryGetSecret(randoms[i], kinds[k], out var s);
                using var protection = new Tls13RecordProtection(suite, s);
                foreach (var record in records[i][k])
                    ok &= protection.TryDecrypt(record.AsSpan(0, 5), record.AsSpan(5), plaintext, out _, out _);
            }
        });
        if (!ok) throw new InvalidOperationException("a benchmark record did not authenticate");
    }

    /// <summary>A TLS 1.3 application_data record of <paramref name="size"/> content bytes under a traffic secret.</summary>
    private static byte[] SealRecord(TlsCipherSuite suite, byte[] secret, ulong seq, int size)
    {
        var key = TlsKeyDerivation.HkdfExpandLabel(suite.PrfHash, secret, "key", default, suite.KeyLength);
        var nonce = TlsKeyDerivation.HkdfExpandLabel(suite.PrfHash, secret, "iv", default, 12);
        for (int b = 0; b < 8; b++) nonce[11 - b] ^= (byte)(seq >> (8 * b));
        // TLSInnerPlaintext = content || type(23); record = header || ciphertext || tag.
        int ctLength = size + 1;
        var record = new byte[5 + ctLength + 16];
        record[0] = 23; record[1] = 3; record[2] = 3;
        record[3] = (byte)((ctLength + 16) >> 8); record[4] = (byte)(ctLength + 16);
        var inner = new byte[ctLength];
        RandomNumberGenerator.Fill(inner.AsSpan(0, size));
        inner[size] = 23;
        if (suite.Kind == TlsCipherKind.AesGcm)
        {
            using var enc = new AesGcm(key, 16);
            enc.Encrypt(nonce, inner, record.AsSpan(5, ctLength), record.AsSpan(5 + ctLength), record.AsSpan(0, 5));
        }
        else
        {
            using var enc = new System.Security.Cryptography.ChaCha20Poly1305(key);
            enc.Encrypt(nonce, inner, record.AsSpan(5, ctLength), record.AsSpan(5 + ctLength), record.AsSpan(0, 5));
        }
        return record;
    }

    /// <summary>The steps of one key (HKDF-Expand-Label "key" and "iv", AEAD set-up) with each library.</summary>
    private static void Components(TlsCipherSuite suite)
    {
        var hash = suite.PrfHash;
        var secret = RandomNumberGenerator.GetBytes(TlsKeyDerivation.HashLength(hash));
        Measure("key schedule (key + iv), TlsKeyDerivation.TrafficKeyAndIv", 20_000, "µs/key", () =>
        {
            Span<byte> k = stackalloc byte[32], iv = stackalloc byte[12];
            TlsKeyDerivation.TrafficKeyAndIv(hash, secret, k[..suite.KeyLength], iv);
        });
        Measure("  alt: TlsKeyDerivation.HkdfExpandLabel x2 (before)", 20_000, "µs/key", () =>
        {
            TlsKeyDerivation.HkdfExpandLabel(hash, secret, "key", default, suite.KeyLength);
            TlsKeyDerivation.HkdfExpandLabel(hash, secret, "iv", default, 12);
        });
        var keyInfo = Label("key", suite.KeyLength);
        var ivInfo = Label("iv", 12);
        var keyBlock = keyInfo.Append((byte)1).ToArray();
        var ivBlock = ivInfo.Append((byte)1).ToArray();
        Measure("  alt: framework HKDF.Expand x2", 20_000, "µs/key", () =>
        {
            Span<byte> o = stackalloc byte[48];
            HKDF.Expand(hash, secret, o[..suite.KeyLength], keyInfo);
            HKDF.Expand(hash, secret, o[..12], ivInfo);
        });
        Measure("  alt: framework HMAC one-shot x2", 20_000, "µs/key", () =>
        {
            Span<byte> o = stackalloc byte[48];
            TlsKeyDerivation.Hmac(hash, secret, keyBlock, o);
            TlsKeyDerivation.Hmac(hash, secret, ivBlock, o);
        });
        Measure("  alt: BouncyCastle HMac (one Init) x2", 20_000, "µs/key", () =>
        {
            Span<byte> o = stackalloc byte[48];
            var mac = new HMac(hash == HashAlgorithmName.SHA384 ? new Sha384Digest() : new Sha256Digest());
            mac.Init(new KeyParameter(secret));
            mac.BlockUpdate(keyBlock);
            mac.DoFinal(o);
            mac.BlockUpdate(ivBlock);
            mac.DoFinal(o);
        });
        Measure("  alt: framework IncrementalHash HMAC x2", 20_000, "µs/key", () =>
        {
            Span<byte> o = stackalloc byte[48];
            using var h = IncrementalHash.CreateHMAC(hash, secret);
            h.AppendData(keyBlock);
            h.GetHashAndReset(o);
            h.AppendData(ivBlock);
            h.GetHashAndReset(o);
        });
        var reused = new HMac(hash == HashAlgorithmName.SHA384 ? new Sha384Digest() : new Sha256Digest());
        Measure("  alt: BouncyCastle HMac reused object x2", 20_000, "µs/key", () =>
        {
            Span<byte> o = stackalloc byte[48];
            reused.Init(new KeyParameter(secret));
            reused.BlockUpdate(keyBlock);
            reused.DoFinal(o);
            reused.BlockUpdate(ivBlock);
            reused.DoFinal(o);
        });
        Measure("  alt: BouncyCastle HkdfBytesGenerator x2", 20_000, "µs/key", () =>
        {
            Span<byte> o = stackalloc byte[48];
            var g = new Org.BouncyCastle.Crypto.Generators.HkdfBytesGenerator(hash == HashAlgorithmName.SHA384 ? new Sha384Digest() : new Sha256Digest());
            g.Init(HkdfParameters.SkipExtractParameters(secret, keyInfo));
            g.GenerateBytes(o[..suite.KeyLength]);
            g.Init(HkdfParameters.SkipExtractParameters(secret, ivInfo));
            g.GenerateBytes(o[..12]);
        });

        var key = RandomNumberGenerator.GetBytes(suite.KeyLength);
        Measure("AEAD set-up + dispose, TlsAead", 20_000, "µs/key", () => new TlsAead(suite.Kind, key).Dispose());
        if (suite.Kind == TlsCipherKind.AesGcm)
        {
            Measure("  alt: AesGcmDecryptor.Init (hand-written, AES-NI + PCLMULQDQ)", 20_000, "µs/key", () =>
            {
                var d = new AesGcmDecryptor();
                d.Init(key);
            });
            Measure("  alt: framework AesGcm", 20_000, "µs/key", () => new AesGcm(key, 16).Dispose());
            Measure("  alt: BouncyCastle GcmBlockCipher(AesUtilities.CreateEngine())", 20_000, "µs/key", () =>
            {
                var gcm = new GcmBlockCipher(AesUtilities.CreateEngine());
                gcm.Init(false, new AeadParameters(new KeyParameter(key), 128, new byte[12]));
            });
        }
        else if (suite.Kind == TlsCipherKind.ChaCha20Poly1305)
        {
            Measure("  alt: framework ChaCha20Poly1305", 20_000, "µs/key", () => new System.Security.Cryptography.ChaCha20Poly1305(key).Dispose());
            Measure("  alt: BouncyCastle ChaCha20Poly1305", 20_000, "µs/key", () =>
                new Org.BouncyCastle.Crypto.Modes.ChaCha20Poly1305().Init(false, new AeadParameters(new KeyParameter(key), 128, new byte[12])));
        }
    }

    /// <summary>
    /// Record decryption by size, through Tls13RecordProtection, and for AES-GCM each implementation alone on the same
    /// record: the hand-written AesGcmDecryptor, the framework's AesGcm (OpenSSL) and BouncyCastle's GcmBlockCipher.
    /// </summary>
    private static void Decrypt(TlsCipherSuite suite)
    {
        var secret = RandomNumberGenerator.GetBytes(TlsKeyDerivation.HashLength(suite.PrfHash));
        var key = TlsKeyDerivation.HkdfExpandLabel(suite.PrfHash, secret, "key", default, suite.KeyLength);
        var iv = TlsKeyDerivation.HkdfExpandLabel(suite.PrfHash, secret, "iv", default, 12);
        foreach (int size in new[] { 16384, 4096, 1400, 600, 200, 50 })
        {
            var record = SealRecord(suite, secret, 0, size);
            var plaintext = new byte[16 * 1024 + 256];
            using var protection = new Tls13RecordProtection(suite, secret);
            int iterations = Math.Max(2000, 64_000_000 / size / 4);
            bool ok = true;
            Row($"decrypt {size,5}-byte records, Tls13RecordProtection:", size, iterations, () =>
            {
                protection.SequenceNumber = 0;
                ok &= protection.TryDecrypt(record.AsSpan(0, 5), record.AsSpan(5), plaintext, out _, out _);
            });
            if (!ok) throw new InvalidOperationException("benchmark record did not authenticate");
            if (suite.Kind == TlsCipherKind.AesGcm)
            {
                int ctLength = record.Length - 5 - 16;
                var ours = new AesGcmDecryptor();
                ours.Init(key);
                Row("  alt: AesGcmDecryptor (hand-written):", size, iterations, () =>
                    ok &= ours.TryDecrypt(iv, record.AsSpan(5, ctLength), record.AsSpan(5 + ctLength), plaintext.AsSpan(0, ctLength), record.AsSpan(0, 5)));
                if (!ok) throw new InvalidOperationException("AesGcmDecryptor did not authenticate the benchmark record");
                using var framework = new AesGcm(key, 16);
                Row("  alt: framework AesGcm (OpenSSL):", size, iterations, () =>
                    framework.Decrypt(iv, record.AsSpan(5, ctLength), record.AsSpan(5 + ctLength), plaintext.AsSpan(0, ctLength), record.AsSpan(0, 5)));
                var gcm = new GcmBlockCipher(AesUtilities.CreateEngine());
                var keyParam = new KeyParameter(key);
                Row("  alt: BouncyCastle GcmBlockCipher:", size, iterations, () =>
                {
                    gcm.Init(false, new AeadParameters(keyParam, 128, iv));
                    keyParam = null;
                    gcm.ProcessAadBytes(record.AsSpan(0, 5));
                    int n = gcm.ProcessBytes(record.AsSpan(5), plaintext);
                    gcm.DoFinal(plaintext.AsSpan(n));
                });
            }
            else if (suite.Kind == TlsCipherKind.ChaCha20Poly1305)
            {
                var chacha = new Org.BouncyCastle.Crypto.Modes.ChaCha20Poly1305();
                var keyParam = new KeyParameter(key);
                Row("  alt: BouncyCastle ChaCha20Poly1305:", size, iterations, () =>
                {
                    chacha.Init(false, new AeadParameters(keyParam, 128, iv));
                    chacha.ProcessAadBytes(record.AsSpan(0, 5));
                    int n = chacha.ProcessBytes(record.AsSpan(5), plaintext);
                    chacha.DoFinal(plaintext.AsSpan(n));
                });
            }
        }
    }

    /// <summary>HkdfLabel for an empty context (RFC 8446 §7.1).</summary>
    private static byte[] Label(string label, int length) =>
        [(byte)(length >> 8), (byte)length, (byte)(6 + label.Length), .. System.Text.Encoding.ASCII.GetBytes("tls13 " + label), 0];

    private static void Measure(string what, int iterations, string unit, Action body)
    {
        double ns = Best(iterations, body, out double bytes);
        Console.WriteLine($"  {what,-62} {ns / 1000,8:F2} {unit} {bytes,7:F0} B allocated");
    }

    /// <summary>One decryption row: MB/s, ns and bytes allocated per record.</summary>
    private static void Row(string what, int size, int iterations, Action body)
    {
        double ns = Best(iterations, body, out double bytes);
        Console.WriteLine($"  {what,-46} {size / ns / 1e6 * 1e9,8:F0} MB/s ({ns,6:F0} ns/record, {bytes,4:F0} B allocated)");
    }

    /// <summary>
    /// Nanoseconds of this thread's CPU time per call (CLOCK_THREAD_CPUTIME_ID, so time spent descheduled on the shared
    /// machine does not count), best of <see cref="Rounds"/> rounds after a warm-up round.
    /// </summary>
    private static double Best(int iterations, Action body, out double bytesPerCall)
    {
        for (int i = 0; i < Math.Min(iterations, 1000); i++) body();
        double best = double.MaxValue;
        bytesPerCall = double.MaxValue;
        for (int round = 0; round < Rounds; round++)
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            long start = ThreadCpuNanoseconds();
            for (int i = 0; i < iterations; i++) body();
            best = Math.Min(best, (double)(ThreadCpuNanoseconds() - start) / iterations);
            bytesPerCall = Math.Min(bytesPerCall, (double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / iterations);
        }
        return best;
    }

    private static long ThreadCpuNanoseconds()
    {
        if (ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var t) != 0) throw new InvalidOperationException("clock_gettime failed");
        return t.Seconds * 1_000_000_000 + t.Nanoseconds;
    }

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
