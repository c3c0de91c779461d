namespace McpEgress.Tests.Grafana;

/// <summary>
/// Every shipped expression, run by a real Prometheus that scrapes the sample /metrics page: alert expressions must
/// parse; dashboard queries must parse and return series (so their metric and label names match what the daemon
/// exports, not just the grammar); variable queries must find values.
/// </summary>
public class PrometheusQueryTests : IClassFixture<PrometheusServer>
{
    private readonly PrometheusServer _prometheus;

    public PrometheusQueryTests(PrometheusServer prometheus) => _prometheus = prometheus;

    public static TheoryData<string, string> DashboardTargets()
    {
        var data = new TheoryData<string, string>();
        foreach (var (where, expr) in QueryCatalog.DashboardTargets()) data.Add(where, expr);
        return data;
    }

    public static TheoryData<string, string> AlertExpressions()
    {
        var data = new TheoryData<string, string>();
        foreach (var (where, expr) in QueryCatalog.AlertExpressions()) data.Add(where, expr);
        return data;
    }

    [Theory]
    [MemberData(nameof(DashboardTargets))]
    public void DashboardQueryParsesAndReturnsSeries(string where, string expr)
    {
        var r = _prometheus.Query(PromQl.Substitute(expr, _prometheus.Target));
        Assert.True(r.Status == "success", $"{where}: {r.ErrorType}: {r.Error}");
        Assert.True(r.Results > 0, $"{where}: no series for {expr} against the sample metrics");
    }

    [Theory]
    [MemberData(nameof(AlertExpressions))]
    public void AlertExpressionParses(string where, string expr)
    {
        var r = _prometheus.Query(expr);
        Assert.True(r.Status == "success", $"{where}: {r.ErrorType}: {r.Error}");
    }

    [Fact]
    public void VariableQueriesFindValues()
    {
        foreach (var (where, metric, label) in QueryCatalog.VariableQueries())
        {
            var r = _prometheus.Query($"count({metric}{{{label}!=\"\"}})");
            Assert.True(r.Status == "success" && r.Results > 0, $"{where}: label_values({metric}, {label}) finds nothing");
        }
    }

    [Fact]
    public void TheServerRejectsBadQueriesAndFindsNothingForWrongNames()
    {
        var bad = _prometheus.Query("sum by (instance) (rate(mcp_egress_messages_total[5m])");
        Assert.Equal(("error", "bad_data"), (bad.Status, bad.ErrorType));
        Assert.Equal(0, _prometheus.Query("mcp_egress_message_total").Results);
        Assert.Equal(0, _prometheus.Query("mcp_egress_tls_sessions_total{decripted=\"true\"}").Results);
        // smtp/none and http/<each of the 12 providers>, all created at zero
        // (src/McpEgress/Export/Prometheus/METRICS.md).
        Assert.Equal(13, _prometheus.Query("mcp_egress_messages_total").Results);
    }
}
