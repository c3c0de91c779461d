using McpEgress.Detection;

namespace McpEgress.Tests.Detection;

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
              smtp: { max_recipients: 1000, strict: true, ratio: 0.5, name: "1000", mode: loose, list: [1, x] }
            """;
        var c = ConfigLoader.Parse(yaml, "yaml");
        Assert.Equal(["giftshop.club", "*.evil.test"], c.Detection.DeniedDomains);
        Assert.Equal(["partner.example"], c.Detection.AllowedHiddenDomains);
        Assert.Equal(new RuleSettings(true, Severity.Critical), c.Detection.SettingsFor("denied-domain"));
        Assert.Equal(new RuleSettings(false, Severity.Medium), c.Detection.SettingsFor("hidden-foreign-domain"));
        var smtp = Assert.IsType<Dictionary<string, object?>>(c.Limits["smtp"]);
        // Free-form section: unquoted YAML scalars typed like JSON values, quoted ones stay strings.
        Assert.Equal(1000L, smtp["max_recipients"]);
        Assert.Equal(true, smtp["strict"]);
        Assert.Equal(0.5, smtp["ratio"]);
        Assert.Equal("1000", smtp["name"]);
        Assert.Equal("loose", smtp["mode"]);
        Assert.Equal([1L, "x"], Assert.IsType<List<object?>>(smtp["list"]));
        Assert.Equal(["denied-domain", "limit-exceeded"], new DetectionEngine(c.Detection).Rules.Select(r => r.Id));
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
              "limits": { "flows": { "max": 1000, "ratio": 0.5, "on": false, "x": null } }
            }
            """;
        var c = ConfigLoader.Parse(json, "json");
        Assert.Equal(["giftshop.club", "bücher.example"], c.Detection.DeniedDomains);
        Assert.Empty(c.Detection.AllowedHiddenDomains);
        Assert.Equal(new RuleSettings(true, Severity.Low), c.Detection.SettingsFor("hidden-foreign-domain"));
        Assert.Equal(RuleSettings.Default, c.Detection.SettingsFor("denied-domain"));
        var flows = Assert.IsType<Dictionary<string, object?>>(c.Limits["flows"]);
        Assert.Equal(1000L, flows["max"]);
        Assert.Equal(0.5, flows["ratio"]);
        Assert.Equal(false, flows["on"]);
        Assert.Null(flows["x"]);
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
        Assert.Empty(c.Limits);
    }

    [Fact]
    public void ShippedExampleConfigLoads()
    {
        // The documented example must stay valid: src/McpEgress/Detection/mcp-egress.example.yaml.
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "McpEgress.sln"))) dir = Path.GetDirectoryName(dir)!;
        var c = ConfigLoader.Load(Path.Combine(dir, "src", "McpEgress", "Detection", "mcp-egress.example.yaml"));
        Assert.Equal(["giftshop.club"], c.Detection.DeniedDomains);
        Assert.Equal(["archive.partner.example"], c.Detection.AllowedHiddenDomains);
        Assert.Equal(new RuleSettings(true, Severity.High), c.Detection.SettingsFor("hidden-foreign-domain"));
        Assert.Equal(["imf", "reassembly", "smtp"], c.Limits.Keys.Order(StringComparer.Ordinal));  // bound by LimitsBinderTests
    }

    [Fact]
    public void DefaultConfigIsBuiltInPolicy()
    {
        Assert.Same(McpEgressConfig.Default, ConfigLoader.LoadOrDefault(null));
        Assert.Equal(["giftshop.club"], McpEgressConfig.Default.Detection.DeniedDomains);
        Assert.Equal(["denied-domain", "hidden-foreign-domain", "limit-exceeded"], new DetectionEngine(McpEgressConfig.Default.Detection).Rules.Select(r => r.Id));
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
        Assert.Equal(["cfg:3:1: output: unknown key \"output\" (expected one of: detection, limits, watch)"], Errors(yaml, "yaml"));
    }

    [Fact]
    public void UnknownTopLevelKeyJson()
    {
        const string json = "{\n  \"detection\": {},\n  \"outputs\": 1\n}";
        Assert.Equal(["cfg:3:3: outputs: unknown key \"outputs\" (expected one of: detection, limits, watch)"], Errors(json, "json"));
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
            "cfg:2:3: detection.deny: unknown key \"deny\" (expected one of: denied_domains, allowed_hidden_domains, rules)",
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
            "cfg:3:5: detection.rules.denied-domains: unknown rule id \"denied-domains\" (known: denied-domain, hidden-foreign-domain, limit-exceeded)",
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
            Assert.Equal($"{json}:1:47: bogus: unknown key \"bogus\" (expected one of: detection, limits, watch)", e.Message);

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
}
