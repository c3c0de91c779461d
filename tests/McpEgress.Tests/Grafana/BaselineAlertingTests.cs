using System.Text.Json;
using System.Text.RegularExpressions;
using McpEgress.Detection;

namespace McpEgress.Tests.Grafana;

/// <summary>
/// The daemon's baseline and inventory rules in the shipped alerting and dashboards: behaviour-change and hidden-sink
/// page (critical) through alerts of their own, new-hidden-domain is medium with the known sinks excluded,
/// mcp-server-advisory has its alert; every rule the daemon raises at critical by default pages exactly once; the
/// overview and host dashboards show each of them with its runbook. (The firing/silent promtool cases, the Grafana
/// copy of each rule and the queries against a real Prometheus are checked for every alert by the other tests here.)
/// </summary>
public sealed partial class BaselineAlertingTests
{
    private static readonly Dictionary<string, JsonElement> Alerts =
        GrafanaFiles.PrometheusAlerts().ToDictionary(a => a.Str("alert")!, StringComparer.Ordinal);

    private static string Expr(string alert) => Alerts[alert].Str("expr")!;
    private static string Severity(string alert) => Alerts[alert].GetProperty("labels").Str("severity")!;

    /// <summary>McpEgress + the rule id in PascalCase: behaviour-change → McpEgressBehaviourChange.</summary>
    private static string DedicatedName(string ruleId) =>
        "McpEgress" + string.Concat(ruleId.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    [Theory]
    [InlineData(BehaviourChangeRule.RuleId)]
    [InlineData(HiddenSinkRule.RuleId)]
    public void BaselinePagesHaveTheirOwnCriticalAlert(string ruleId)
    {
        string name = DedicatedName(ruleId);
        Assert.True(Alerts.ContainsKey(name), name + " missing from mcp-egress.rules.yml");
        Assert.Equal("critical", Severity(name));
        Assert.Equal(Severity(name), DetectionEngine.DefaultSeverity(ruleId).ToString().ToLowerInvariant());
        Assert.Contains($"rule=\"{ruleId}\"", Expr(name));
        Assert.Contains("severity=\"critical\"", Expr(name)); // a rule lowered in the config falls to the high/medium alerts
        Assert.Contains(GrafanaFiles.GrafanaAlertRules(), r => r.Str("title") == name);
    }

    [Fact]
    public void EveryRuleCriticalByDefaultPagesExactlyOnce()
    {
        var generic = ExcludedRegex().Match(Expr("McpEgressCriticalAlert"));
        Assert.True(generic.Success, Expr("McpEgressCriticalAlert"));
        var excluded = generic.Groups[1].Value.Split('|').ToHashSet(StringComparer.Ordinal);
        foreach (var id in DetectionEngine.KnownRuleIds.Where(id => DetectionEngine.DefaultSeverity(id) == McpEgress.Detection.Severity.Critical))
        {
            bool own = Alerts.ContainsKey(DedicatedName(id));
            Assert.True(own == excluded.Contains(id),
                $"{id}: {(own ? "has its own alert but McpEgressCriticalAlert fires for it too" : "excluded from McpEgressCriticalAlert without an alert of its own")}");
        }
        Assert.Contains(DeniedDomainRule.RuleId, DetectionEngine.KnownRuleIds);
        Assert.DoesNotContain(DeniedDomainRule.RuleId, excluded); // the generic alert is still denied-domain's
        Assert.Equal("critical", Severity("McpEgressMcpServerAdvisory"));
        Assert.Contains("mcp_egress_mcp_server_info{advisory!=\"\"}", Expr("McpEgressMcpServerAdvisory"));
    }

    [Fact]
    public void NewHiddenDomainIsMediumWithTheKnownSinksExcluded()
    {
        Assert.Equal(NewHiddenDomainRule.DefaultSeverity.ToString().ToLowerInvariant(), Severity("McpEgressNewHiddenRecipientDomain"));
        // Each built-in known sink's registrable domain is in its domain!~ list: KnownSinkListTests.
        Assert.Contains("domain!~\"other|", Expr("McpEgressNewHiddenRecipientDomain"));
    }

    [Fact]
    public void DashboardsShowEachBaselineRuleAndTheAdvisoriesWithTheirRunbooks()
    {
        var overview = GrafanaFiles.Panels(GrafanaFiles.Json(GrafanaFiles.Grafana("dashboards", "mcp-egress-overview.json"))).ToList();
        var host = GrafanaFiles.Panels(GrafanaFiles.Json(GrafanaFiles.Grafana("dashboards", "mcp-egress-host.json"))).ToList();
        static string Exprs(JsonElement p) =>
            p.TryGetProperty("targets", out var t) ? string.Join('\n', t.EnumerateArray().Select(x => x.Str("expr") ?? "")) : "";
        static IEnumerable<string> Runbooks(JsonElement p) =>
            p.TryGetProperty("links", out var l) ? l.EnumerateArray().Select(x => x.Str("url")!.Split('#')[1]) : [];

        foreach (var (rule, alert) in new[]
                 {
                     (BehaviourChangeRule.RuleId, "McpEgressBehaviourChange"), (HiddenSinkRule.RuleId, "McpEgressHiddenSink"),
                     (NewHiddenDomainRule.RuleId, "McpEgressNewHiddenRecipientDomain"),
                 })
        {
            var stat = Assert.Single(overview, p => p.Str("type") == "stat" && Exprs(p).Contains($"rule=\"{rule}\"", StringComparison.Ordinal));
            Assert.Contains("runbook-" + alert.ToLowerInvariant(), Runbooks(stat));
            foreach (var panels in new[] { overview, host })
            {
                var table = Assert.Single(panels, p => p.Str("type") == "table" && Exprs(p).Contains("rule=~\"behaviour-change|hidden-sink|new-hidden-domain\"", StringComparison.Ordinal));
                Assert.Contains("runbook-" + alert.ToLowerInvariant(), Runbooks(table));
            }
        }
        var advisories = Assert.Single(overview, p => p.Str("title") == "MCP servers with advisories");
        Assert.Contains("advisory!=\"\"", Exprs(advisories));
        Assert.Contains("runbook-mcpegressmcpserveradvisory", Runbooks(advisories));
    }

    [GeneratedRegex("""rule!~"([^"]+)"\}""")]
    private static partial Regex ExcludedRegex();
}
