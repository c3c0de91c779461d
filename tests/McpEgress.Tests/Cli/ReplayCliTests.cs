using System.Text.Json;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Cli;

/// <summary>The replay command as a user runs it: events on stdout, summary on stderr, exit codes for bad input.</summary>
public sealed class ReplayCliTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("mcp-egress-cli").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private static string Capture(string rel) => Path.Combine(RepoPaths.Captures, rel);

    [Theory]
    [InlineData("replay", "--bogus", "smtp/nodemailer-plain.pcap")]   // was exit 3: "--bogus: no such file"
    [InlineData("replay", "smtp/nodemailer-plain.pcap", "--outptu", "x")]
    [InlineData("watch", "--bogus")]
    public void UnknownOptionsAreExit1(params string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run(args.Select(a => a.EndsWith(".pcap", StringComparison.Ordinal) ? Capture(a) : a).ToArray());
        Assert.Equal(1, code);
        Assert.Contains(args.First(a => a.StartsWith("--", StringComparison.Ordinal)), stderr);
        Assert.DoesNotContain("\"event\"", stdout); // nothing was replayed
    }

    [Fact]
    public void ReplayPrintsEventsAndAlertsAsNdjsonAndSummaryOnStderr()
    {
        var (code, stdout, stderr) = CliRunner.Run("replay", Capture("smtp/nodemailer-envelope-hidden.pcap"));
        Assert.Equal(0, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var docs = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var message = Assert.Single(docs, d => d.GetProperty("event").GetProperty("kind").GetString() == "event");
        Assert.Equal("smtp", message.GetProperty("network").GetProperty("protocol").GetString());
        Assert.Contains("phan@giftshop.club", message.GetProperty("email").GetProperty("bcc").GetProperty("address").EnumerateArray().Select(e => e.GetString()));
        var alerts = docs.Where(d => d.GetProperty("event").GetProperty("kind").GetString() == "alert").ToList();
        Assert.Equal(new[] { "denied-domain", "hidden-foreign-domain", "new-hidden-domain" }, alerts.Select(a => a.GetProperty("rule").GetProperty("id").GetString()).Order());
        Assert.Contains("messages: 1; alerts: 3 (1 critical, 1 high)", stderr);
    }

    [Fact]
    public void OutputDashIsStandardOutput_AsForWatch_NotAFileNamedDash()
    {
        var (code, stdout, _) = CliRunner.RunIn(_tmp, "replay", Capture("smtp/nodemailer-envelope-hidden.pcap"), "--output", "-");
        Assert.Equal(0, code);
        Assert.Contains("phan@giftshop.club", stdout);
        Assert.False(File.Exists(Path.Combine(_tmp, "-")), "a file named '-' was written");
    }

    [Fact]
    public void OutputOptionWritesFileAndKeylogOptionDecrypts()
    {
        var outFile = Path.Combine(_tmp, "events.ndjson");
        var (code, stdout, stderr) = CliRunner.Run("replay", Capture("smtp/nodemailer-starttls.pcap"),
            "--keylog", Capture("smtp/nodemailer-starttls.keys"), "--output", outFile);
        Assert.True(code == 0, stderr);
        Assert.Equal("", stdout.Trim());
        var text = File.ReadAllText(outFile);
        Assert.Contains("\"tls-session\"", text);
        Assert.Contains("\"decrypted\":true", text);
        Assert.Contains("phan@giftshop.club", text);
        Assert.DoesNotContain("StartTls-L0gin-pw-7731", text);
    }

    [Fact]
    public void WithoutKeysTlsIsReportedOpaqueNotGarbage()
    {
        var (code, stdout, _) = CliRunner.Run("replay", Capture("smtp/nodemailer-starttls.pcap"));
        Assert.Equal(0, code);
        Assert.Contains("\"decrypted\":false", stdout);
        Assert.Contains("\"starttls\":true", stdout);
        Assert.DoesNotContain("\"kind\":\"alert\"", stdout);
    }

    [Fact]
    public void MissingFileExitsThreeWithOneLineReason()
    {
        var (code, _, stderr) = CliRunner.Run("replay", Path.Combine(_tmp, "nope.pcap"));
        Assert.Equal(3, code);
        Assert.Contains("nope.pcap: no such file", stderr);
    }

    [Fact]
    public void NonCaptureFileExitsThree()
    {
        var f = Path.Combine(_tmp, "notes.txt");
        File.WriteAllText(f, "this is not a packet capture, just some text that is long enough\n");
        var (code, _, stderr) = CliRunner.Run("replay", f);
        Assert.Equal(3, code);
        Assert.Contains("not a capture file", stderr);
    }

    [Fact]
    public void EmptyFileExitsThree()
    {
        var f = Path.Combine(_tmp, "empty.pcap");
        File.WriteAllBytes(f, []);
        var (code, _, stderr) = CliRunner.Run("replay", f);
        Assert.Equal(3, code);
        Assert.Contains("empty.pcap", stderr);
    }

    [Fact]
    public void TruncatedFileStillYieldsEverythingBeforeTheCut()
    {
        // Cut the pool capture (3 messages on one connection) inside its last packet record.
        var src = File.ReadAllBytes(Capture("smtp/nodemailer-pool.pcapng"));
        var f = Path.Combine(_tmp, "cut.pcapng");
        File.WriteAllBytes(f, src.AsSpan(0, src.Length - 10).ToArray());
        var (code, stdout, stderr) = CliRunner.Run("replay", f);
        Assert.Equal(3, code);
        Assert.Contains("truncated", stderr);
        int messages = stdout.Split('\n').Count(l => l.Contains("\"kind\":\"event\"") && l.Contains("\"email\""));
        Assert.Equal(3, messages);
    }

    [Fact]
    public void BadConfigExitsTwoNamingFileLineAndKey()
    {
        var cfg = Path.Combine(_tmp, "bad.yaml");
        File.WriteAllText(cfg, "detection:\n  denied_domains: [giftshop.club]\n  rules:\n    no-such-rule: { enabled: true }\n");
        var (code, _, stderr) = CliRunner.Run("replay", "--config", cfg, Capture("smtp/nodemailer-plain.pcap"));
        Assert.Equal(2, code);
        Assert.Contains("bad.yaml:4", stderr);
        Assert.Contains("no-such-rule", stderr);
    }

    [Fact]
    public void BadLimitInConfigExitsTwo()
    {
        var cfg = Path.Combine(_tmp, "limits.yaml");
        File.WriteAllText(cfg, "limits:\n  reassembly:\n    max_flows: -5\n");
        var (code, _, stderr) = CliRunner.Run("replay", "--config", cfg, Capture("smtp/nodemailer-plain.pcap"));
        Assert.Equal(2, code);
        Assert.Contains("limits.reassembly.max_flows", stderr);
    }

    [Fact]
    public void ConfigAllowListSilencesHiddenForeignDomainButNotDenied()
    {
        var cfg = Path.Combine(_tmp, "allow.json");
        File.WriteAllText(cfg, """{ "detection": { "allowed_hidden_domains": ["giftshop.club"] } }""");
        var (code, stdout, _) = CliRunner.Run("replay", "--config", cfg, Capture("smtp/nodemailer-envelope-hidden.pcap"));
        Assert.Equal(0, code);
        Assert.Contains("\"id\":\"denied-domain\"", stdout);
        Assert.DoesNotContain("\"id\":\"hidden-foreign-domain\"", stdout);
    }
}
