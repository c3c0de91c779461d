using System.Text.Json;

namespace McpEgress.Tests.Grafana;

/// <summary>
/// grafana/provisioning: the Grafana alert rules are the Prometheus rules (same names, expressions, `for`, labels and
/// annotations) in Grafana's query → reduce → threshold form, against the provisioned data source.
/// </summary>
public class AlertProvisioningTests
{
    private static string Normalize(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static Dictionary<string, string?> Map(JsonElement e) =>
        e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.ToString());

    [Fact]
    public void GrafanaRulesAreThePrometheusRules()
    {
        var grafana = GrafanaFiles.GrafanaAlertRules().ToDictionary(r => r.Str("title")!);
        var prometheus = GrafanaFiles.PrometheusAlerts().ToList();
        Assert.Equal(prometheus.Select(p => p.Str("alert")!).Order(), grafana.Keys.Order());
        foreach (var p in prometheus)
        {
            var name = p.Str("alert")!;
            var g = grafana[name];
            var a = g.GetProperty("data").EnumerateArray().Single(d => d.Str("refId") == "A");
            Assert.Equal(Normalize(p.Str("expr")!), Normalize(a.GetProperty("model").Str("expr")!));
            Assert.Equal(p.Str("for") ?? "0s", g.Str("for"));
            Assert.Equal(Map(p.GetProperty("labels")), Map(g.GetProperty("labels")));
            Assert.Equal(Map(p.GetProperty("annotations")), Map(g.GetProperty("annotations")));
        }
    }

    [Fact]
    public void EachRuleIsQueryReduceThreshold()
    {
        var dsUid = GrafanaFiles.Yaml(GrafanaFiles.Grafana("provisioning", "datasources", "prometheus.yml"))
            .GetProperty("datasources").EnumerateArray().Single().Str("uid");
        var uids = new HashSet<string>();
        foreach (var r in GrafanaFiles.GrafanaAlertRules())
        {
            var title = r.Str("title")!;
            Assert.True(uids.Add(r.Str("uid")!), "duplicate uid " + r.Str("uid"));
            Assert.InRange(r.Str("uid")!.Length, 1, 40);
            Assert.Equal("C", r.Str("condition"));
            Assert.Equal("OK", r.Str("noDataState"));
            var data = r.GetProperty("data").EnumerateArray().ToDictionary(d => d.Str("refId")!);
            Assert.Equal(["A", "B", "C"], data.Keys.Order());
            Assert.Equal(dsUid, data["A"].Str("datasourceUid"));
            Assert.Equal("true", data["A"].GetProperty("model").GetProperty("instant").ToString(), ignoreCase: true);
            var b = data["B"].GetProperty("model");
            Assert.Equal(("__expr__", "reduce", "A", "last"), (data["B"].Str("datasourceUid"), b.Str("type"), b.Str("expression"), b.Str("reducer")));
            var c = data["C"].GetProperty("model");
            Assert.Equal(("__expr__", "threshold", "B"), (data["C"].Str("datasourceUid"), c.Str("type"), c.Str("expression")));
            var evaluator = c.GetProperty("conditions")[0].GetProperty("evaluator");
            Assert.Equal("gt", evaluator.Str("type"));
            Assert.Equal("0", evaluator.GetProperty("params")[0].GetString());
            Assert.False(string.IsNullOrEmpty(title));
        }
    }

    [Fact]
    public void ProvisioningFilesHaveApiVersion1()
    {
        foreach (var f in new[] { GrafanaFiles.GrafanaAlertsFile, GrafanaFiles.Grafana("provisioning", "datasources", "prometheus.yml"),
                     GrafanaFiles.Grafana("provisioning", "dashboards", "mcp-egress.yml") })
            Assert.Equal("1", GrafanaFiles.Yaml(f).Str("apiVersion"));
        var ds = GrafanaFiles.Yaml(GrafanaFiles.Grafana("provisioning", "datasources", "prometheus.yml")).GetProperty("datasources")[0];
        Assert.Equal("prometheus", ds.Str("type"));
        var provider = GrafanaFiles.Yaml(GrafanaFiles.Grafana("provisioning", "dashboards", "mcp-egress.yml")).GetProperty("providers")[0];
        Assert.Equal("file", provider.Str("type"));
        Assert.False(string.IsNullOrEmpty(provider.GetProperty("options").Str("path")));
    }
}
