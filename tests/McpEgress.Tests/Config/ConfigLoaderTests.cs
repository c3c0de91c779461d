using McpEgress.Config;
using McpEgress.Detection;

namespace McpEgress.Tests.Config;

public class ConfigLoaderTests
{
    private static string[] Errors(string text, string format)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text, format, "cfg"));
        Assert.Equal(string.Join(Environment.NewLine, e.Errors), e.Message);
        return e.Errors.Select(x => x.ToString()).ToArray();
    }

    [Fact]
    public void ValidYaml()
    {
        const string yaml = """
            detection:
              denied_domains: [giftshop.club, "*.evil.test"]
              allowed_hidden_domains:
                - partner.example
              rules:
                denied-domain: { enabled: true, severity: critical }
                hidden-foreign-domain: { enabled: false, severity: Medium }
            limits:
              smtp: { max_recipients_per_transaction: 77 }
              imf: { strict: true, max_header_fields: "50" }
            watch:
              interfaces: lo
            """;
        var c = ConfigLoader.Parse(yaml, "yaml");
        Assert.Equal(["giftshop.club", "*.evil.test"], c.Detection.DeniedDomains);
        Assert.Equal(["partner.example"], c.Detection.AllowedHiddenDomains);
        Assert.Equal(new RuleSettings(true, Severity.Critical), c.Detection.SettingsFor("denied-domain"));
        Assert.Equal(new RuleSettings(false, Severity.Medium), c.Detection.SettingsFor("hidden-foreign-domain"));
        // Every section is typed: limits are the stages' options, watch the daemon's.
        Assert.Equal(77, c.Limits.Protocols.Smtp.MaxRecipientsPerTransaction);
        Assert.True(c.Limits.Protocols.Imf.Strict);
        Assert.Equal(50, c.Limits.Protocols.Imf.MaxHeaderFields); // a limit may be quoted, as before
        Assert.Equal(["lo"], c.Watch.Interfaces);
        Assert.Equal(["denied-domain", "limit-exceeded", "hidden-sink", "new-hidden-domain", "behaviour-change"], new DetectionEngine(c.Detection).Rules.Select(r => r.Id));
    }

    [Fact]
    public void ValidJson()
    {
        const string json = """
            {
              // comments are allowed
              "detection": {
                "denied_domains": ["giftshop.club", "bücher.example"],
                "allowed_hidden_domains": [],
                "rules": { "hidden-foreign-domain": { "severity": "low" } },
              },
              "limits": { "reassembly": { "max_flows": 1000, "idle_timeout": "90s" }, "protocol": { "allow_nested_tls": true } },
              "watch": { "key_hold_seconds": 2.5 }
            }
            """;
        var c = ConfigLoader.Parse(json, "json");
        Assert.Equal(["giftshop.club", "bücher.example"], c.Detection.DeniedDomains);
        Assert.Empty(c.Detection.AllowedHiddenDomains);
        Assert.Equal(new RuleSettings(true, Severity.Low), c.Detection.SettingsFor("hidden-foreign-domain"));
        Assert.Equal(RuleSettings.Default, c.Detection.SettingsFor("denied-domain"));
        Assert.Equal(1000, c.Limits.Reassembly.MaxFlows);
        Assert.Equal(TimeSpan.FromSeconds(90), c.Limits.Reassembly.IdleTimeout);
        Assert.True(c.Limits.Protocols.Protocol.AllowNestedTls);
        Assert.Equal(2.5, c.Watch.KeyHoldSeconds);
    }

    [Theory]
    [InlineData("", "yaml")]
    [InlineData("# only a comment\n", "yaml")]
    [InlineData("{}", "json")]
    [InlineData("detection:\n", "yaml")]
    public void EmptyConfigIsTheDefault(string text, string format)
    {
        var c = ConfigLoader.Parse(text, format);
        Assert.Equal(["giftshop.club"], c.Detection.DeniedDomains);
        Assert.Empty(c.Detection.AllowedHiddenDomains);
        Assert.Equal(ConfigYamlWriter.Write(McpEgressConfig.Default), ConfigYamlWriter.Write(c));
    }

    [Fact]
    public void ShippedExampleConfigLoads()
    {
        // The documented example must stay valid: src/McpEgress/Config/mcp-egress.example.yaml.
        var c = ConfigLoader.Load(ExampleConfig);
        Assert.Equal(["giftshop.club"], c.Detection.DeniedDomains);
        Assert.Equal(["archive.partner.example"], c.Detection.AllowedHiddenDomains);
        Assert.Equal(new RuleSettings(true, Severity.High), c.Detection.SettingsFor("hidden-foreign-domain"));
        Assert.Equal(65536, c.Limits.Reassembly.MaxFlows);
        Assert.Equal(TimeSpan.FromMinutes(5), c.Limits.Reassembly.IdleTimeout);
        Assert.Equal(1000, c.Limits.Protocols.Smtp.MaxRecipientsPerTransaction);
        Assert.Equal(3, c.Limits.Protocols.Imf.MaxAddressGroupDepth);
    }

    internal static string ExampleConfig => Path.Combine(McpEgress.Tests.Golden.RepoPaths.Root, "src", "McpEgress", "Config", "mcp-egress.example.yaml");

    [Fact]
    public void DefaultConfigIsBuiltInPolicy()
    {
        Assert.Equal(ConfigYamlWriter.Write(McpEgressConfig.Default), ConfigYamlWriter.Write(ConfigLoader.LoadOrDefault(null)));
        Assert.NotSame(McpEgressConfig.Default.Limits, McpEgressConfig.Default.Limits); // mutable options: never shared
        Assert.Equal(["giftshop.club"], McpEgressConfig.Default.Detection.DeniedDomains);
        Assert.Equal(["denied-domain", "hidden-foreign-domain", "limit-exceeded", "hidden-sink", "new-hidden-domain", "behaviour-change"],
            new DetectionEngine(McpEgressConfig.Default.Detection).Rules.Select(r => r.Id));
    }

    [Fact]
    public void EmptyDeniedListDeniesNothing()
    {
        var c = ConfigLoader.Parse("detection:\n  denied_domains: []\n", "yaml");
        Assert.Empty(c.Detection.DeniedDomains);
    }

    [Fact]
    public void UnknownTopLevelKeyYaml()
    {
        const string yaml = """
            detection:
              denied_domains: [giftshop.club]
            output: stdout
            """;
        Assert.Equal(["cfg:3:1: output: unknown key \"output\" (expected one of: detection, limits, watch, inventory, state, replay)"], Errors(yaml, "yaml"));
    }

    [Fact]
    public void UnknownTopLevelKeyJson()
    {
        const string json = "{\n  \"detection\": {},\n  \"outputs\": 1\n}";
        Assert.Equal(["cfg:3:3: outputs: unknown key \"outputs\" (expected one of: detection, limits, watch, inventory, state, replay)"], Errors(json, "json"));
    }

    [Fact]
    public void UnknownDetectionAndRuleKeys()
    {
        const string yaml = """
            detection:
              deny: [x.test]
              rules:
                denied-domain: { enable: true }
            """;
        Assert.Equal([
            "cfg:2:3: detection.deny: unknown key \"deny\" (expected one of: denied_domains, allowed_hidden_domains, rules, known_sinks)",
            "cfg:4:22: detection.rules.denied-domain.enable: unknown key \"enable\" (expected one of: enabled, severity)",
        ], Errors(yaml, "yaml"));
    }

    [Fact]
    public void InvalidDomainsReportIndexAndPosition()
    {
        const string yaml = """
            detection:
              denied_domains:
                - giftshop.club
                - ok.test
                - bad..domain
                - phan@giftshop.club
            """;
        Assert.Equal([
            "cfg:5:7: detection.denied_domains[2]: invalid domain \"bad..domain\": empty label",
            "cfg:6:7: detection.denied_domains[3]: invalid domain \"phan@giftshop.club\": expected a domain, not an address",
        ], Errors(yaml, "yaml"));
    }

    [Fact]
    public void InvalidDomainJson()
    {
        const string json = """
            {"detection": {"allowed_hidden_domains": ["ok.test",
                                                      "a_b.test", 7]}}
            """;
        Assert.Equal([
            "cfg:2:43: detection.allowed_hidden_domains[1]: invalid domain \"a_b.test\": invalid character '_'",
            "cfg:2:55: detection.allowed_hidden_domains[2]: expected a domain string, got the number 7",
        ], Errors(json, "json"));
    }

    [Fact]
    public void WrongTypes()
    {
        const string yaml = """
            detection:
              denied_domains: giftshop.club
              rules:
                denied-domain: { enabled: "yes" }
                hidden-foreign-domain: [high]
            limits: 5
            """;
        Assert.Equal([
            "cfg:2:19: detection.denied_domains: expected a list of domains, got the string \"giftshop.club\"",
            "cfg:4:31: detection.rules.denied-domain.enabled: expected true or false, got the string \"yes\"",
            "cfg:5:28: detection.rules.hidden-foreign-domain: expected a mapping, got a list",
            "cfg:6:9: limits: expected a mapping, got the string \"5\"",
        ], Errors(yaml, "yaml"));
    }

    [Fact]
    public void WrongTypeAtRoot()
    {
        Assert.Equal(["cfg:1:1: expected a mapping, got a list"], Errors("[1, 2]", "json"));
        Assert.Equal(["cfg:1:1: expected a mapping, got the string \"hello\""], Errors("hello", "yaml"));
    }

    [Fact]
    public void JsonStringTrueIsNotABoolean()
    {
        const string json = """{"detection": {"rules": {"denied-domain": {"enabled": "true"}}}}""";
        Assert.Equal(["cfg:1:55: detection.rules.denied-domain.enabled: expected true or false, got the string \"true\""], Errors(json, "json"));
    }

    [Fact]
    public void UnknownRuleIdAndSeverity()
    {
        const string yaml = """
            detection:
              rules:
                denied-domains: { enabled: true }
                hidden-foreign-domain: { severity: urgent }
            """;
        Assert.Equal([
            "cfg:3:5: detection.rules.denied-domains: unknown rule id \"denied-domains\" (known: denied-domain, hidden-foreign-domain, limit-exceeded, hidden-sink, new-hidden-domain, behaviour-change, mcp-server-advisory)",
            "cfg:4:40: detection.rules.hidden-foreign-domain.severity: unknown severity \"urgent\" (expected low, medium, high or critical)",
        ], Errors(yaml, "yaml"));
    }

    [Fact]
    public void NumericSeverityRejected()
    {
        const string json = """{"detection":{"rules":{"denied-domain":{"severity":2}}}}""";
        Assert.Equal(["cfg:1:52: detection.rules.denied-domain.severity: expected a severity (low, medium, high or critical), got the number 2"],
            Errors(json, "json"));
    }

    [Fact]
    public void DuplicateJsonKey()
    {
        const string json = "{\"limits\": {},\n \"limits\": {}}";
        Assert.Equal(["cfg:2:2: limits: duplicate key"], Errors(json, "json"));
    }

    [Fact]
    public void DuplicateYamlKey()
    {
        const string yaml = "detection:\n  rules: {}\n  rules: {}\n";
        Assert.Equal(["cfg:3:3: duplicate key \"rules\""], Errors(yaml, "yaml"));
    }

    [Fact]
    public void YamlSyntaxErrorMessage()
    {
        const string yaml = "detection:\n  denied_domains: [giftshop.club\n";
        Assert.Equal(["cfg:3:1: YAML syntax error: While parsing a flow sequence, did not find expected ',' or ']'."], Errors(yaml, "yaml"));
    }

    [Fact]
    public void JsonSyntaxErrorHasPosition()
    {
        const string json = "{\n  \"detection\": {\n    \"denied_domains\": [giftshop.club]\n  }\n}";
        var error = Assert.Single(Errors(json, "json"));
        Assert.StartsWith("cfg:3:24: JSON syntax error: ", error);
        Assert.DoesNotContain("LineNumber", error);
    }

    [Fact]
    public void LoadPicksFormatByExtensionAndNamesTheFile()
    {
        string dir = Directory.CreateTempSubdirectory("mcp-egress-cfg").FullName;
        try
        {
            string yml = Path.Combine(dir, "c.yml"), json = Path.Combine(dir, "c.json"), toml = Path.Combine(dir, "c.toml");
            File.WriteAllText(yml, "detection:\n  denied_domains: [x.test]\n");
            File.WriteAllText(json, "{\"detection\": {\"denied_domains\": [\"y.test\"]}, \"bogus\": 1}");
            File.WriteAllText(toml, "");

            var c = ConfigLoader.Load(yml);
            Assert.Equal(["x.test"], c.Detection.DeniedDomains);
            Assert.Equal(yml, c.SourcePath);

            var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(json));
            Assert.Equal($"{json}:1:47: bogus: unknown key \"bogus\" (expected one of: detection, limits, watch, inventory, state, replay)", e.Message);

            e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(toml));
            Assert.Equal($"{toml}: unsupported config file extension \".toml\" (expected .yml, .yaml or .json)", e.Message);

            e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Path.Combine(dir, "missing.yaml")));
            Assert.StartsWith($"{Path.Combine(dir, "missing.yaml")}: cannot read the file: ", e.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void KnownSinkErrorsSayWhereAndWhy()
    {
        const string yaml = """
            detection:
              known_sinks:
                extra:
                  - { domain: "bad domain", vendor: X }
                  - { vendor: Y }
                  - 3
                  - { domain: ok.example, vendor: "" }
                disabled: [HubSpot2, [x]]
                more: 1
            """;
        Assert.Equal([
            "cfg:4:19: detection.known_sinks.extra[0].domain: invalid domain \"bad domain\": contains whitespace",
            "cfg:5:9: detection.known_sinks.extra[1]: a known sink needs both domain and vendor",
            "cfg:6:9: detection.known_sinks.extra[2]: expected a mapping, got the string \"3\"",
            "cfg:7:39: detection.known_sinks.extra[3].vendor: expected a non-empty string, got the string \"\"",
            "cfg:8:16: detection.known_sinks.disabled[0]: \"HubSpot2\" is no built-in known sink (vendors: HubSpot, Pipedrive, Capsule, Pipeline CRM, Freshsales, Nutshell; or their domain entries)",
            "cfg:8:26: detection.known_sinks.disabled[1]: expected a vendor or domain string, got a list",
            "cfg:9:5: detection.known_sinks.more: unknown key \"more\" (expected one of: extra, disabled)",
        ], Errors(yaml, "yaml"));
    }
}
