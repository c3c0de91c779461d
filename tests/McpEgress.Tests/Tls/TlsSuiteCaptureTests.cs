using System.Text.Json;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Tls;

/// <summary>
/// The legacy-suite captures in captures/tls-suites (one SMTP session per TLS version / cipher suite, see its
/// README) through the whole pipeline: the session names the version and suite the client and server
/// negotiated, and the message carries them as ECS tls.version / tls.cipher. Recipients and alerts are the
/// golden test's job (GoldenCaptureTests reads the same expected files).
/// </summary>
public class TlsSuiteCaptureTests
{
    private static string Folder => Path.Combine(RepoPaths.Captures, "tls-suites");

    public static TheoryData<string> ExpectedFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Folder, "*.expected.json").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    [Fact]
    public void EveryVersionAndCipherFamilyHasACapture()
    {
        var suites = ExpectedFiles().Cast<object[]>()
            .Select(row => JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, (string)row[0]))).RootElement)
            .Select(e => (Version: e.GetProperty("tls_version").GetString()!, Suite: e.GetProperty("cipher_suite").GetString()!))
            .ToList();
        foreach (var version in new[] { "TLS 1.0", "TLS 1.1", "TLS 1.2" }) Assert.Contains(suites, s => s.Version == version);
        foreach (var family in new[] { "_CAMELLIA_128_CBC_", "_CAMELLIA_256_CBC_", "_CAMELLIA_128_GCM_", "_ARIA_128_GCM_", "_ARIA_256_GCM_",
                     "_NULL_", "_SEED_", "_3DES_EDE_CBC_", "_RC4_128_SHA", "_RC4_128_MD5" })
            Assert.Contains(suites, s => s.Suite.Contains(family, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ExpectedFiles))]
    public void Replay_NamesVersionAndSuite_AndDecryptsTheMessage(string expectedFile)
    {
        var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, expectedFile))).RootElement;
        string version = expected.GetProperty("tls_version").GetString()!;
        string suite = expected.GetProperty("cipher_suite").GetString()!;
        var h = new ReplayHarness();
        h.Pipeline.KeyLog.LoadFile(Path.Combine(Folder, expected.GetProperty("keylog").GetString()!));
        h.Replay(Path.Combine(Folder, expected.GetProperty("capture").GetString()!));

        Assert.Empty(h.Errors);
        var session = Assert.Single(h.TlsSessions);
        Assert.Equal(version, session.Info.VersionName);
        Assert.Equal(suite, session.Info.CipherSuiteName);
        Assert.True(session.Info.Decrypted);
        Assert.Equal(expected.GetProperty("tls").GetString() == "starttls", session.StartTls);
        Assert.Equal(expectedFile.Contains("-etm", StringComparison.Ordinal), session.Info.EncryptThenMac);

        var (message, alerts) = Assert.Single(h.Results);
        Assert.Equal(version, message.Tls?.Version); // ECS tls.version "1.0", "1.1", "1.2": checked in the NDJSON below
        Assert.Equal(suite, message.Tls?.Cipher);
        Assert.True(message.Tls?.Decrypted);
        Assert.Contains(message.Hidden, r => r.Address.Address == "phan@giftshop.club");
        Assert.NotEmpty(alerts);
        Assert.Contains($"\"{version[4..]}\"", h.Ndjson, StringComparison.Ordinal);
    }
}
