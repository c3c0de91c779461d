using McpEgress.Config;
using McpEgress.Tests.Config;
using McpEgress.Tests.Hostile;

namespace McpEgress.Tests.Cli;

/// <summary>
/// <c>mcp-egress config check FILE</c>: the effective config as YAML on stdout (exit 0) that loads again to the same
/// config, or every error as <c>file:line:col: key: problem</c> on stderr (exit 2); an unknown option is exit 1.
/// </summary>
public sealed class ConfigCheckCliTests : IDisposable
{
    private string Write(string name, string text)
    {
        var path = Path.Combine(_tmp, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Checks <paramref name="path"/>, then checks what it printed: both pass and print the same config.</summary>
    private McpEgressConfig RoundTrips(string path)
    {
        var (code, stdout, stderr) = CliRunner.Run("config", "check", path);
        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr);
        Assert.StartsWith($"# effective config of {path} (defaults applied)\n", stdout);
        var printed = Write("printed.yaml", stdout);
        var (code2, stdout2, stderr2) = CliRunner.Run("config", "check", printed);
        Assert.True(code2 == 0, stderr2);
        Assert.Equal(stdout[(stdout.IndexOf('\n') + 1)..], stdout2[(stdout2.IndexOf('\n') + 1)..]);

        // The printed YAML loads to the same effective config as the file itself.
        var original = ConfigLoader.Load(path);
        var again = ConfigLoader.Load(printed);
        Assert.Equal(ConfigYamlWriter.Write(original), ConfigYamlWriter.Write(again));
        return again;
    }

    [Fact]
    public void ShippedExampleRoundTrips()
    {
        var again = RoundTrips(ConfigLoaderTests.ExampleConfig);
        Assert.Equal(["giftshop.club"], again.Detection.DeniedDomains);
        Assert.Equal(["archive.partner.example"], again.Detection.AllowedHiddenDomains);
        Assert.Equal(TimeSpan.FromMinutes(5), again.Limits.Reassembly.IdleTimeout);
        Assert.Equal(3, again.Limits.Protocols.Imf.MaxAddressGroupDepth);
        Assert.Equal(["any"], again.Watch.Interfaces); // defaults applied
    }

    [Fact]
    public void JsonWithValuesThatNeedQuotingRoundTrips()
    {
        var path = Write("c.json", """
            {
              "detection": {
                "denied_domains": ["*.evil.test", "bücher.example"],
                "rules": { "hidden-foreign-domain": { "enabled": false }, "denied-domain": { "severity": "medium" } }
              },
              "limits": { "reassembly": { "idle_timeout": "250ms", "closed_flow_linger": 0.5 }, "imf": { "strict": true } },
              "watch": { "interfaces": ["lo", "eth0"], "filter": "tcp port 25 or tcp port 443", "keylogs": "/run/k/*.keys",
                         "key_hold_seconds": 2.5, "output": "/var/log/mcp-egress/events.ndjson", "keylog_trusted_uids": [1000] }
            }
            """);
        var c = RoundTrips(path);
        Assert.Equal(["*.evil.test", "bücher.example"], c.Detection.DeniedDomains);
        Assert.False(c.Detection.SettingsFor("hidden-foreign-domain").Enabled);
        Assert.Equal(McpEgress.Detection.Severity.Medium, c.Detection.SettingsFor("denied-domain").Severity);
        Assert.Equal(TimeSpan.FromMilliseconds(250), c.Limits.Reassembly.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(0.5), c.Limits.Reassembly.ClosedFlowLinger);
        Assert.True(c.Limits.Protocols.Imf.Strict);
        Assert.Equal("tcp port 25 or tcp port 443", c.Watch.Filter);
        Assert.Equal(["/run/k/*.keys"], c.Watch.KeyLogs);
        Assert.Equal(2.5, c.Watch.KeyHoldSeconds);
        Assert.Equal([1000u], c.Watch.KeyLogTrustedUids);
    }

    [Fact]
    public void KnownSinksAndBaselineThresholdsArePrintedAndRoundTrip()
    {
        var path = Write("sinks.yaml", """
            detection:
              rules:
                hidden-sink: { min_messages: 4, min_visible_domains: 2, window_seconds: 3600 }
                new-hidden-domain: { enabled: false }
                behaviour-change: { enabled: false }
              known_sinks:
                extra:
                  - { domain: "*.bcc.crm.example", vendor: "Corp CRM", source: "https://wiki.corp.example/crm" }
                  - { domain: archive.vault.example, vendor: Vault }
                disabled: [nutshell, pipedrivemail.com]
            """);
        var c = RoundTrips(path);
        var (_, stdout, _) = CliRunner.Run("config", "check", path);
        Assert.Contains("hidden-sink: {enabled: true, severity: critical, min_messages: 4, min_visible_domains: 2, window_seconds: 3600}", stdout);
        Assert.Contains("new-hidden-domain: {enabled: false, severity: medium}", stdout);
        Assert.Contains("behaviour-change: {enabled: false, severity: critical, min_old_messages: 1}", stdout);
        Assert.Contains("""- {domain: "*.bcc.crm.example", vendor: "Corp CRM", source: "https://wiki.corp.example/crm"}""", stdout);
        Assert.Contains("""disabled: ["nutshell", "pipedrivemail.com"]""", stdout);
        Assert.Equal(["Corp CRM", "Vault"], c.Detection.ExtraKnownSinks.Select(k => k.Vendor));
        Assert.Equal(["nutshell", "pipedrivemail.com"], c.Detection.DisabledKnownSinks);

        // The defaults print the keys too, empty.
        var (_, defaults, _) = CliRunner.Run("config", "check", Write("none.yaml", ""));
        Assert.Contains("  known_sinks:\n    extra: []\n    disabled: []\n", defaults);
        Assert.Contains("hidden-sink: {enabled: true, severity: critical, min_messages: 3, min_visible_domains: 3, window_seconds: 86400}", defaults);
    }

    [Fact]
    public void EmptyFileIsTheDefaults() => RoundTrips(Write("empty.yaml", ""));

    [Theory]
    [InlineData("d.yaml", "detection:\n  denied_domains: [ok.test, bad..domain]\n", ":2:29: detection.denied_domains[1]: invalid domain \"bad..domain\": empty label")]
    [InlineData("r.yaml", "detection:\n  rules:\n    nope: {}\n", ":3:5: detection.rules.nope: unknown rule id \"nope\"")]
    [InlineData("l.yaml", "limits:\n  reassembly:\n    max_flows: lots\n", ":3:5: limits.reassembly.max_flows: expected a positive whole number, got 'lots'")]
    [InlineData("s.yaml", "limits:\n  nosuch: {}\n", ":2:3: limits.nosuch: unknown section")]
    [InlineData("w.yaml", "watch:\n  rotate_keep: lots\n", ":2:3: watch.rotate_keep: expected a whole number from 0 to 1000, got the string \"lots\"")]
    [InlineData("t.yaml", "output: x\n", ":1:1: output: unknown key \"output\" (expected one of: detection, limits, watch, inventory, state, replay)")]
    [InlineData("y.yaml", "detection:\n  denied_domains: [x\n", ":3:1: YAML syntax error: ")]
    [InlineData("j.json", "{\"watch\": {\"filter\": \"a\",\n \"filter\": \"b\"}}", ":2:2: watch.filter: duplicate key")]
    [InlineData("k.json", "{\"detection\": [1]}", ":1:15: detection: expected a mapping, got a list")]
    public void EachErrorIsExit2WithFileLineColumn(string name, string text, string expected)
    {
        var path = Write(name, text);
        var (code, stdout, stderr) = CliRunner.Run("config", "check", path);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith(path + expected, Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void EveryErrorIsPrintedOnePerLine()
    {
        var path = Write("many.yaml", "detection:\n  denied_domains: [\"a b\", \"c d\"]\nlimits:\n  smtp: { max_line_bytes: 0 }\nwatch:\n  promiscuous: maybe\n");
        var (code, _, stderr) = CliRunner.Run("config", "check", path);
        Assert.Equal(2, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([$"{path}:2:20:", $"{path}:2:27:", $"{path}:4:11:", $"{path}:6:3:"], lines.Select(l => l[..(l.IndexOf(": ", StringComparison.Ordinal) + 1)]));
    }

    [Fact]
    public void UnreadableAndHostileFilesAreExit2()
    {
        var bomb = Write("bomb.yaml", HostileConfigTests.AliasBomb("watch"));
        var zero = Path.Combine(_tmp, "zero.yaml");
        File.CreateSymbolicLink(zero, "/dev/zero");
        foreach (var (path, problem) in new[]
        {
            (bomb, "values once aliases are expanded"),
            (zero, "the file is larger than 4194304 bytes"),
            (Path.Combine(_tmp, "missing.yaml"), "cannot read the file: no such file"),
            (Write("c.toml", ""), "unsupported config file extension"),
        })
        {
            var (code, stdout, stderr) = CliRunner.Run("config", "check", path);
            Assert.True(code == 2, $"{path}: exit {code}: {stderr}");
            Assert.Equal("", stdout);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith(path + ":", line);
            Assert.Contains(problem, line);
        }
    }

    [Theory]
    [InlineData("config", "check", "--bogus", "x.yaml")]
    [InlineData("config", "check", "x.yaml", "--bogus")]
    [InlineData("config", "--bogus")]
    public void UnknownOptionIsExit1(params string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.Equal(1, code);
        Assert.Contains("--bogus", stderr);
        Assert.DoesNotContain("detection:", stdout);
    }

    private readonly string _tmp = Directory.CreateTempSubdirectory("mcp-egress-config-check").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);
}
