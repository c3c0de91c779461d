using System.Text.Json;
using System.Text.RegularExpressions;

namespace McpEgress.Tests.Grafana;

/// <summary>
/// Structural check of grafana/dashboards/*.json that needs no npm (the full schema check is
/// <see cref="DashboardSchemaTests"/>): identity and schema version, the three variables, unique panel ids,
/// a non-overlapping 24-column grid, every panel and target on the ${datasource} variable, every target with a refId
/// unique in its panel and an expression, every variable a query uses defined, and the panels the overview promises.
/// </summary>
public partial class DashboardStructureTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in GrafanaFiles.Dashboards()) data.Add(Path.GetFileName(f));
        return data;
    }

    private static JsonElement Load(string name) => GrafanaFiles.Json(GrafanaFiles.Grafana("dashboards", name));

    [Fact]
    public void BothDashboardsExist() =>
        Assert.Equal(["mcp-egress-host.json", "mcp-egress-overview.json"], GrafanaFiles.Dashboards().Select(f => Path.GetFileName(f)).ToArray());

    [Theory]
    [MemberData(nameof(Files))]
    public void IdentityAndSchemaVersion(string file)
    {
        var d = Load(file);
        Assert.Equal(Path.GetFileNameWithoutExtension(file), d.Str("uid"));
        Assert.InRange(d.Str("uid")!.Length, 8, 40);
        Assert.True(d.GetProperty("schemaVersion").GetInt32() >= 39, "schemaVersion < 39");
        Assert.False(string.IsNullOrWhiteSpace(d.Str("title")));
        Assert.Equal(JsonValueKind.Null, d.GetProperty("id").ValueKind); // importable: Grafana assigns the id
        Assert.Contains("mcp-egress", d.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Variables(string file)
    {
        var vars = Load(file).GetProperty("templating").GetProperty("list").EnumerateArray().ToDictionary(v => v.Str("name")!);
        Assert.Equal(("datasource", "prometheus"), (vars["datasource"].Str("type"), vars["datasource"].Str("query")));
        foreach (var (name, query) in new[]
                 {
                     ("job", "label_values(mcp_egress_build_info, job)"),
                     ("instance", "label_values(mcp_egress_build_info{job=~\"$job\"}, instance)"),
                     ("provider", "label_values(mcp_egress_messages_total, provider)"),
                 })
        {
            Assert.Equal("query", vars[name].Str("type"));
            Assert.Equal(query, vars[name].GetProperty("query").Str("query"));
            Assert.Equal("${datasource}", vars[name].GetProperty("datasource").Str("uid"));
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void PanelsGridAndTargets(string file)
    {
        var d = Load(file);
        var defined = d.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => v.Str("name")!).ToHashSet();
        var ids = new HashSet<int>();
        var cells = new HashSet<(int, int)>();
        foreach (var p in GrafanaFiles.Panels(d))
        {
            var id = p.GetProperty("id").GetInt32();
            var title = p.Str("title");
            Assert.True(ids.Add(id), $"duplicate panel id {id}");
            Assert.False(string.IsNullOrWhiteSpace(title), $"panel {id} has no title");
            var g = p.GetProperty("gridPos");
            int x = g.GetProperty("x").GetInt32(), y = g.GetProperty("y").GetInt32(), w = g.GetProperty("w").GetInt32(), h = g.GetProperty("h").GetInt32();
            Assert.True(x >= 0 && y >= 0 && w >= 1 && h >= 1 && x + w <= 24, $"panel {id} '{title}' gridPos out of the 24-column grid");
            for (var i = x; i < x + w; i++)
                for (var j = y; j < y + h; j++)
                    Assert.True(cells.Add((i, j)), $"panel {id} '{title}' overlaps another panel at ({i},{j})");
            if (p.Str("type") == "row") continue;

            Assert.False(string.IsNullOrWhiteSpace(p.Str("description")), $"panel {id} '{title}' has no description");
            Assert.Equal(("prometheus", "${datasource}"), (p.GetProperty("datasource").Str("type"), p.GetProperty("datasource").Str("uid")));
            var refIds = new HashSet<string>();
            var targets = p.GetProperty("targets").EnumerateArray().ToList();
            Assert.NotEmpty(targets);
            foreach (var t in targets)
            {
                Assert.True(refIds.Add(t.Str("refId") ?? ""), $"panel {id}: missing or duplicate refId");
                Assert.Equal("${datasource}", t.GetProperty("datasource").Str("uid"));
                var expr = t.Str("expr");
                Assert.False(string.IsNullOrWhiteSpace(expr), $"panel {id} target {t.Str("refId")} has no expr");
                foreach (var v in PromQl.Variables(expr!).Where(v => !v.StartsWith("__", StringComparison.Ordinal)))
                    Assert.True(defined.Contains(v), $"panel {id}: ${v} is not a dashboard variable");
            }
        }
    }

    [Fact]
    public void OverviewHasThePromisedPanels()
    {
        var exprs = string.Join('\n', QueryCatalog.DashboardTargets().Where(t => t.Where.StartsWith("mcp-egress-overview", StringComparison.Ordinal)).Select(t => t.Expr));
        foreach (var needle in new[]
                 {
                     "sum by (transport, provider) (rate(mcp_egress_messages_total", "sum by (domain) (increase(mcp_egress_hidden_recipients_total",
                     "sum by (rule, severity) (increase(mcp_egress_alerts_total", "sum by (decrypted) (rate(mcp_egress_tls_sessions_total",
                     "mcp_egress_capture_drops_total", "mcp_egress_anomalies_total", "up{job=~\"$job\"",
                 })
            Assert.Contains(needle, exprs);
    }

    [Fact]
    public void HostDashboardSelectsOneInstance()
    {
        foreach (var (where, expr) in QueryCatalog.DashboardTargets().Where(t => t.Where.StartsWith("mcp-egress-host", StringComparison.Ordinal)))
            Assert.True(expr.Contains("instance=\"$instance\"", StringComparison.Ordinal), where + " does not select instance=\"$instance\"");
        var overview = File.ReadAllText(GrafanaFiles.Grafana("dashboards", "mcp-egress-overview.json"));
        Assert.Matches(LinkRegex(), overview);
    }

    [GeneratedRegex(@"/d/mcp-egress-host/")]
    private static partial Regex LinkRegex();
}
