using System.Security.Cryptography;
using McpEgress.Protocols.Tls;
using static McpEgress.Tests.Tls.TlsTestUtil;

namespace McpEgress.Tests.Tls;

public class TlsKeyDerivationTests
{
    [Fact]
    public void HkdfExpandLabel_Rfc8448_ServerHandshakeKeyAndIv()
    {
        // RFC 8448 §3: server_handshake_traffic_secret -> write key / iv (TLS_AES_128_GCM_SHA256).
        var secret = Hex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
        Assert.Equal(Hex("3fce516009c21727d0f2e4e86ee403bc"),
            TlsKeyDerivation.HkdfExpandLabel(HashAlgorithmName.SHA256, secret, "key", default, 16));
        Assert.Equal(Hex("5d313eb2671276ee13000b30"),
            TlsKeyDerivation.HkdfExpandLabel(HashAlgorithmName.SHA256, secret, "iv", default, 12));
    }

    [Fact]
    public void HkdfExpandLabel_Rfc8448_ApplicationKeys()
    {
        var client = Hex("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5");
        Assert.Equal(Hex("17422dda596ed5d9acd890e3c63f5051"),
            TlsKeyDerivation.HkdfExpandLabel(HashAlgorithmName.SHA256, client, "key", default, 16));
        Assert.Equal(Hex("5b78923dee08579033e523d9"),
            TlsKeyDerivation.HkdfExpandLabel(HashAlgorithmName.SHA256, client, "iv", default, 12));
        var server = Hex("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643");
        Assert.Equal(Hex("9f02283b6c9c07efc26bb9f2ac92e356"),
            TlsKeyDerivation.HkdfExpandLabel(HashAlgorithmName.SHA256, server, "key", default, 16));
        Assert.Equal(Hex("cf782b88dd83549aadf1e984"),
            TlsKeyDerivation.HkdfExpandLabel(HashAlgorithmName.SHA256, server, "iv", default, 12));
    }

    [Fact]
    public void Tls10Prf_MatchesOpenSsl_KeyExpansion()
    {
        // openssl kdf -keylen 64 -kdfopt digest:MD5-SHA1 -kdfopt hexsecret:<48 bytes below>
        //   -kdfopt hexseed:6b65792065787061 -kdfopt hexseed:6e73696f6e TLS1-PRF   ("key expa" + "nsion"; OpenSSL 3.0.19)
        var secret = Hex("bded7fa5c1699c010be23dd06ada3a48349f21e5f86263d512c0c5cc379f0e780ec55d9844b2f1db02a96453513568d0");
        Assert.Equal(Hex("""
            DA0A7D8473F437E9027CC57E193FF97BCDF382BD426F52D020A6D8A7CA85239E
            FBD32EF0B519DB351C8B73A94056766169B64001E24FBC6D46047FD3B5280353
            """), TlsKeyDerivation.Tls10Prf(secret, "key expansion", default, 64));
    }

    [Fact]
    public void Tls10Prf_OddSecret_HalvesShareTheMiddleByte()
    {
        // RFC 2246 §5: S1 and S2 are ceil(41/2) = 21 bytes each, byte 21 in both. Same openssl kdf, 41-byte secret,
        // -kdfopt seed:seed-bytes (label and seed are simply concatenated).
        var secret = Enumerable.Range(1, 41).Select(i => (byte)i).ToArray();
        Assert.Equal(Hex("26C79C076D3135E7175D499495F7E61DCF856EE3466B4A68A0FC191BFFA4EA141131BF36E7BD2629"),
            TlsKeyDerivation.Tls10Prf(secret, "seed-", "bytes"u8, 40));
    }

    [Fact]
    public void Prf_Sha256_KnownAnswer()
    {
        // The TLS 1.2 P_SHA256 vector published on the IETF TLS WG list (msg03416).
        var output = TlsKeyDerivation.Prf(HashAlgorithmName.SHA256, Hex("9bbe436ba940f017b17652849a71db35"), "test label",
            Hex("a0ba9f936cda311827a6f796ffd5198c"), 100);
        Assert.Equal(Hex(
            "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a" +
            "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab" +
            "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701" +
            "87347b66"), output);
    }

    [Fact]
    public void Prf_Sha384_KnownAnswer()
    {
        var output = TlsKeyDerivation.Prf(HashAlgorithmName.SHA384, Hex("b80b733d6ceefcdc71566ea48e5567df"), "test label",
            Hex("cd665cf6a8447dd6ff8b27555edb7465"), 148);
        Assert.Equal(Hex(
            "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f"),
            output);
    }

    [Fact]
    public void Prf_ShorterOutputIsPrefixOfLonger()
    {
        var secret = Hex("000102030405060708090a0b0c0d0e0f");
        var seed = Hex("1011");
        var a = TlsKeyDerivation.Prf(HashAlgorithmName.SHA256, secret, "key expansion", seed, 40);
        var b = TlsKeyDerivation.Prf(HashAlgorithmName.SHA256, secret, "key expansion", seed, 104);
        Assert.Equal(a, b[..40]);
    }
    [Theory]
    // RFC 5869 Appendix A.1 (test case 1) and A.3 (test case 3, empty info): PRK, info, the first 32 bytes of OKM.
    [InlineData("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", "f0f1f2f3f4f5f6f7f8f9",
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf")]
    [InlineData("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04", "",
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d")]
    public void HkdfExpandOneBlock_Rfc5869(string prk, string info, string okm)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Hex(prk));
        var output = new byte[32];
        TlsKeyDerivation.HkdfExpandOneBlock(hmac, Hex(info), output);
        Assert.Equal(Hex(okm), output);
        // The HMAC is left reset: a second expansion under the same PRK gives the same prefix.
        var shorter = new byte[10];
        TlsKeyDerivation.HkdfExpandOneBlock(hmac, Hex(info), shorter);
        Assert.Equal(Hex(okm)[..10], shorter);
        Assert.Throws<ArgumentException>(() => TlsKeyDerivation.HkdfExpandOneBlock(hmac, Hex(info), new byte[33]));
    }

    [Fact]
    public void TrafficKeyAndIv_Rfc8448()
    {
        // RFC 8448 §3: server handshake and client application traffic secrets -> write key / iv.
        (string secret, string key, string iv)[] cases =
        [
            ("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38", "3fce516009c21727d0f2e4e86ee403bc", "5d313eb2671276ee13000b30"),
            ("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5", "17422dda596ed5d9acd890e3c63f5051", "5b78923dee08579033e523d9"),
            ("a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643", "9f02283b6c9c07efc26bb9f2ac92e356", "cf782b88dd83549aadf1e984"),
        ];
        foreach (var c in cases)
        {
            var key = new byte[16];
            var iv = new byte[12];
            TlsKeyDerivation.TrafficKeyAndIv(HashAlgorithmName.SHA256, Hex(c.secret), key, iv);
            Assert.Equal(Hex(c.key), key);
            Assert.Equal(Hex(c.iv), iv);
        }
    }

    [Theory]
    [InlineData("SHA256", 32, 16)]
    [InlineData("SHA256", 32, 32)]
    [InlineData("SHA384", 48, 32)]
    public void TrafficKeyAndIv_SameAsFrameworkHkdfExpand(string hashName, int secretLength, int keyLength)
    {
        // RFC 8448 has SHA-256 only: the SHA-384 suites (TLS_AES_256_GCM_SHA384) are checked against OpenSSL's HKDF.
        var hash = new HashAlgorithmName(hashName);
        var secret = Enumerable.Range(0, secretLength).Select(i => (byte)(i * 7 + 3)).ToArray();
        var key = new byte[keyLength];
        var iv = new byte[12];
        TlsKeyDerivation.TrafficKeyAndIv(hash, secret, key, iv);
        byte[] keyLabel = [0, (byte)keyLength, 9, .. "tls13 key"u8, 0];
        byte[] ivLabel = [0, 12, 8, .. "tls13 iv"u8, 0];
        Assert.Equal(HKDF.Expand(hash, secret, keyLength, keyLabel), key);
        Assert.Equal(HKDF.Expand(hash, secret, 12, ivLabel), iv);
    }
}
