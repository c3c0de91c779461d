using System.Text.RegularExpressions;

namespace McpEgress.Tests.Grafana;

/// <summary>Every PromQL expression shipped in grafana/: dashboard targets, dashboard variables, both alert rule files.</summary>
internal static partial class QueryCatalog
{
    /// <summary>(where, expr) for each dashboard panel target, e.g. ("mcp-egress-host.json: panel 7 'Uptime' A", "time() - ...").</summary>
    public static IEnumerable<(string Where, string Expr)> DashboardTargets()
    {
        foreach (var file in GrafanaFiles.Dashboards())
        {
            var dash = GrafanaFiles.Json(file);
            foreach (var panel in GrafanaFiles.Panels(dash))
            {
                if (!panel.TryGetProperty("targets", out var targets)) continue;
                foreach (var t in targets.EnumerateArray())
                    yield return ($"{Path.GetFileName(file)}: panel {panel.GetProperty("id")} '{panel.Str("title")}' {t.Str("refId")}", t.Str("expr") ?? "");
            }
        }
    }

    /// <summary>(where, metric, label) for each label_values(metric, label) variable query.</summary>
    public static IEnumerable<(string Where, string Metric, string Label)> VariableQueries()
    {
        foreach (var file in GrafanaFiles.Dashboards())
        {
            var dash = GrafanaFiles.Json(file);
            foreach (var v in dash.GetProperty("templating").GetProperty("list").EnumerateArray())
            {
                if (v.Str("type") != "query") continue;
                var q = v.GetProperty("query");
                var text = q.ValueKind == System.Text.Json.JsonValueKind.String ? q.GetString()! : q.Str("query")!;
                var m = LabelValuesRegex().Match(text);
                if (!m.Success) throw new InvalidDataException($"{Path.GetFileName(file)}: variable {v.Str("name")} query is not label_values(metric, label): {text}");
                var metric = m.Groups[1].Value.Trim();
                int brace = metric.IndexOf('{'); // label_values(metric{job=~"$job"}, label): the metric is what precedes the selector
                yield return ($"{Path.GetFileName(file)}: variable {v.Str("name")}", brace < 0 ? metric : metric[..brace], m.Groups[2].Value.Trim());
            }
        }
    }

    public static IEnumerable<(string Where, string Expr)> AlertExpressions()
    {
        foreach (var r in GrafanaFiles.PrometheusAlerts())
            yield return ("mcp-egress.rules.yml: " + r.Str("alert"), r.Str("expr")!);
        foreach (var r in GrafanaFiles.GrafanaAlertRules())
            foreach (var d in r.GetProperty("data").EnumerateArray())
                if (d.Str("datasourceUid") != "__expr__")
                    yield return ($"mcp-egress-alerts.yml: {r.Str("title")} {d.Str("refId")}", d.GetProperty("model").Str("expr")!);
    }

    public static IEnumerable<(string Where, string Expr)> All() => DashboardTargets().Concat(AlertExpressions());

    [GeneratedRegex(@"^\s*label_values\(\s*([^,]+),\s*(\w+)\s*\)\s*$")]
    private static partial Regex LabelValuesRegex();
}
