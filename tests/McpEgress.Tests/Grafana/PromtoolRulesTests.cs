using System.Text.RegularExpressions;

namespace McpEgress.Tests.Grafana;

/// <summary>
/// grafana/prometheus: the rule file passes `promtool check rules`, its unit tests pass `promtool test rules`, every
/// alert has tests that expect it to fire and tests that expect silence, and every runbook link resolves.
/// </summary>
public partial class PromtoolRulesTests
{
    [Fact]
    public void CheckRules()
    {
        var r = ExternalTool.Promtool("check", "rules", GrafanaFiles.RulesFile);
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains($"SUCCESS: {GrafanaFiles.PrometheusAlerts().Count()} rules found", r.Output);
    }

    [Fact]
    public void UnitTestsPass()
    {
        var r = ExternalTool.Promtool("test", "rules", GrafanaFiles.RulesTestFile);
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("SUCCESS", r.Output);
    }

    [Fact]
    public void ExampleScrapeConfigIsValid()
    {
        var r = ExternalTool.Promtool("check", "config", GrafanaFiles.Grafana("prometheus", "prometheus.yml"));
        Assert.True(r.ExitCode == 0, r.Output);
    }

    [Fact]
    public void PromtoolTestRulesCanFail()
    {
        // The same unit tests against a rule file whose critical alert watches the wrong severity must fail.
        var dir = Directory.CreateTempSubdirectory("mcp-egress-rules-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "mcp-egress.rules.yml"),
                File.ReadAllText(GrafanaFiles.RulesFile).Replace("severity=\"critical\"", "severity=\"medium\""));
            File.Copy(GrafanaFiles.RulesTestFile, Path.Combine(dir, "t.yml"));
            var r = ExternalTool.Run("promtool", "Debian: apt-get install prometheus", dir, TimeSpan.FromSeconds(120), "test", "rules", "t.yml");
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("McpEgressCriticalAlert", r.Output);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void EveryAlertIsTestedFiringAndSilent()
    {
        var tests = GrafanaFiles.Yaml(GrafanaFiles.RulesTestFile).GetProperty("tests").EnumerateArray()
            .SelectMany(t => t.GetProperty("alert_rule_test").EnumerateArray()).ToList();
        foreach (var alert in GrafanaFiles.PrometheusAlerts().Select(a => a.Str("alert")!))
        {
            var mine = tests.Where(t => t.Str("alertname") == alert).ToList();
            Assert.True(mine.Any(t => t.GetProperty("exp_alerts").GetArrayLength() > 0), alert + " has no test where it fires");
            Assert.True(mine.Any(t => t.GetProperty("exp_alerts").GetArrayLength() == 0), alert + " has no test where it stays silent");
        }
    }

    [Fact]
    public void EveryAlertHasSeverityAndAnnotations()
    {
        var severities = new HashSet<string> { "critical", "high", "medium" };
        foreach (var a in GrafanaFiles.PrometheusAlerts())
        {
            var name = a.Str("alert")!;
            Assert.Matches("^McpEgress[A-Z][A-Za-z]+$", name);
            Assert.Contains(a.GetProperty("labels").Str("severity") ?? "", severities);
            var ann = a.GetProperty("annotations");
            Assert.False(string.IsNullOrWhiteSpace(ann.Str("summary")), name);
            Assert.False(string.IsNullOrWhiteSpace(ann.Str("description")), name);
            // Absolute, from the one base URL in grafana/runbooks.json (relative links break in every alert receiver).
            Assert.Equal(GrafanaFiles.RunbookBaseUrl + "#runbook-" + name.ToLowerInvariant(), ann.Str("runbook_url"));
            Assert.True(Uri.TryCreate(ann.Str("runbook_url"), UriKind.Absolute, out _), name);
        }
    }

    [Fact]
    public void RunbookAnchorsExistInTheReadme()
    {
        var readme = File.ReadAllText(GrafanaFiles.Grafana("README.md"));
        var anchors = HeadingRegex().Matches(readme).Select(m => GitHubSlug(m.Groups[1].Value)).ToHashSet();
        foreach (var a in GrafanaFiles.PrometheusAlerts())
        {
            var anchor = a.GetProperty("annotations").Str("runbook_url")!.Split('#')[1];
            Assert.True(anchors.Contains(anchor), $"README.md has no heading for #{anchor}");
        }
    }

    /// <summary>GitHub's heading anchor: lower case, punctuation other than '-' and '_' removed, spaces to '-'.</summary>
    private static string GitHubSlug(string heading) =>
        Regex.Replace(heading.Trim().ToLowerInvariant(), @"[^\p{L}\p{N}\s_-]", "").Replace(' ', '-');

    [GeneratedRegex(@"^#{1,6}\s+(.+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex HeadingRegex();
}
