using System.Text.RegularExpressions;

namespace McpEgress.Tests.Grafana;

/// <summary>
/// Just enough PromQL reading for the checks: Grafana variable substitution, metric names, and the label names a
/// query selects or groups by. Parsing proper is left to Prometheus itself (<see cref="PrometheusServer"/>).
/// </summary>
internal static partial class PromQl
{
    /// <summary>Labels Prometheus attaches to every scraped series (target labels).</summary>
    public static readonly string[] TargetLabels = ["job", "instance"];

    /// <summary>
    /// Replaces Grafana's built-in and dashboard variables with values Prometheus accepts. <paramref name="instance"/>
    /// is what $instance becomes: a regex for =~ matchers (".*") or a real target for the host dashboard's =.
    /// </summary>
    public static string Substitute(string expr, string instance, string provider = ".*") => expr
        .Replace("$__rate_interval", "1m").Replace("${__rate_interval}", "1m")
        .Replace("$__interval", "1m").Replace("${__interval}", "1m")
        .Replace("$__range", "1h").Replace("${__range}", "1h")
        .Replace("${instance}", instance).Replace("$instance", instance)
        .Replace("${job}", ".*").Replace("$job", ".*")
        .Replace("${provider}", provider).Replace("$provider", provider);

    /// <summary>Variables ($name or ${name}) still in an expression after <see cref="Substitute"/>.</summary>
    public static IEnumerable<string> Variables(string expr) =>
        VariableRegex().Matches(expr).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value);

    /// <summary>Metric names: mcp_egress_* identifiers and `up`, outside strings.</summary>
    public static IEnumerable<string> MetricNames(string expr) =>
        MetricRegex().Matches(StripStrings(expr)).Select(m => m.Value).Distinct();

    /// <summary>Label names in selector matchers, per metric: metric{a="x", b!~"y"} gives (metric, a), (metric, b).</summary>
    public static IEnumerable<(string Metric, string Label)> MatcherLabels(string expr)
    {
        foreach (Match m in SelectorRegex().Matches(expr))
            foreach (Match l in MatcherRegex().Matches(m.Groups[2].Value))
                yield return (m.Groups[1].Value, l.Groups[1].Value);
    }

    /// <summary>Label names in by/without/on/ignoring/group_left/group_right clauses.</summary>
    public static IEnumerable<string> GroupingLabels(string expr) =>
        GroupingRegex().Matches(expr)
            .SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string StripStrings(string expr) => StringRegex().Replace(expr, "\"\"");

    [GeneratedRegex(@"\$(?:\{(\w+)(?::\w+)?\}|(\w+))")]
    private static partial Regex VariableRegex();

    [GeneratedRegex(@"\b(?:mcp_egress_[a-z_]+|up)\b(?!\s*\()")]
    private static partial Regex MetricRegex();

    [GeneratedRegex(@"\b(mcp_egress_[a-z_]+|up)\s*\{([^}]*)\}")]
    private static partial Regex SelectorRegex();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")]
    private static partial Regex MatcherRegex();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")]
    private static partial Regex GroupingRegex();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringRegex();
}
