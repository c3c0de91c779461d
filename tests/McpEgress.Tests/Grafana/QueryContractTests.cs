namespace McpEgress.Tests.Grafana;

/// <summary>
/// Static checks of every shipped PromQL expression against the metrics contract, as the sample /metrics page
/// (<see cref="MetricsSample"/>, generated from the real metrics code) shows it: only the daemon's metric names (and `up`), only labels those metrics carry.
/// Parsing and evaluation by a real Prometheus is in <see cref="PrometheusQueryTests"/>.
/// </summary>
public class QueryContractTests
{
    public static TheoryData<string, string> Expressions()
    {
        var data = new TheoryData<string, string>();
        foreach (var (where, expr) in QueryCatalog.All()) data.Add(where, expr);
        return data;
    }

    [Fact]
    public void TheCatalogFindsEveryKindOfQuery()
    {
        Assert.True(QueryCatalog.DashboardTargets().Count() >= 40, "dashboard targets: " + QueryCatalog.DashboardTargets().Count());
        Assert.Equal(2 * GrafanaFiles.PrometheusAlerts().Count(), QueryCatalog.AlertExpressions().Count());
        Assert.Equal(["instance", "instance", "provider", "provider"], QueryCatalog.VariableQueries().Select(v => v.Label).Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [MemberData(nameof(Expressions))]
    public void UsesOnlyContractMetricsAndLabels(string where, string expr)
    {
        var sample = MetricsSample.Labels();
        var substituted = PromQl.Substitute(expr, "h1:9464");
        Assert.False(string.IsNullOrWhiteSpace(expr), where + ": empty expression");
        Assert.Empty(PromQl.Variables(substituted));

        var metrics = PromQl.MetricNames(substituted).ToArray();
        Assert.NotEmpty(metrics);
        foreach (var m in metrics)
            Assert.True(m == "up" || sample.ContainsKey(m), $"{where}: {m} is not a metric of the daemon");

        var known = new HashSet<string>(PromQl.TargetLabels, StringComparer.Ordinal);
        foreach (var m in metrics) if (sample.TryGetValue(m, out var l)) known.UnionWith(l);
        foreach (var (metric, label) in PromQl.MatcherLabels(substituted))
            Assert.True(PromQl.TargetLabels.Contains(label) || (metric != "up" && sample[metric].Contains(label)),
                $"{where}: {metric} has no label {label}");
        foreach (var label in PromQl.GroupingLabels(substituted))
            Assert.True(known.Contains(label), $"{where}: no metric of the query has the label {label} it groups or matches by");
    }

    [Fact]
    public void VariableQueriesNameAContractLabel()
    {
        var sample = MetricsSample.Labels();
        foreach (var (where, metric, label) in QueryCatalog.VariableQueries())
            Assert.True(sample.TryGetValue(metric, out var l) && (l.Contains(label) || PromQl.TargetLabels.Contains(label)), $"{where}: {metric} has no label {label}");
    }

    [Fact]
    public void TheChecksCatchAWrongMetricOrLabel()
    {
        var sample = MetricsSample.Labels();
        Assert.DoesNotContain("mcp_egress_message_total", sample.Keys);
        Assert.Contains(("mcp_egress_tls_sessions_total", "decripted"), PromQl.MatcherLabels("sum(mcp_egress_tls_sessions_total{decripted=\"true\"})"));
        Assert.Equal(["domain", "reason"], PromQl.GroupingLabels("sum by (domain, reason) (x) unless on () y"));
        Assert.Equal(["instance"], PromQl.Variables("up{instance=~\"${instance}\"}"));
        Assert.Equal(["mcp_egress_keylog_secrets"], PromQl.MetricNames("label_replace(mcp_egress_keylog_secrets, \"up\", \"up\", \"x\", \"y\")"));
    }
}
