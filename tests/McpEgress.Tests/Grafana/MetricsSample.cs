using System.Text.RegularExpressions;

namespace McpEgress.Tests.Grafana;

/// <summary>
/// Data/metrics-sample.txt: a /metrics page written by hand to match the metrics contract (src/McpEgress/Export/Prometheus/METRICS.md), every metric
/// and label of the contract present. The queries are checked against it; comparing it with the daemon's real output
/// keeps the two honest.
/// </summary>
internal static partial class MetricsSample
{
    /// <summary>The contract's metrics and their labels (src/McpEgress/Export/Prometheus/METRICS.md).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Contract = new Dictionary<string, string[]>
    {
        ["mcp_egress_build_info"] = ["version", "commit", "dotnet"],
        ["mcp_egress_start_time_seconds"] = [],
        ["mcp_egress_messages_total"] = ["transport", "provider"],
        ["mcp_egress_recipients_total"] = ["role"],
        ["mcp_egress_hidden_recipients_total"] = ["domain", "reason"],
        ["mcp_egress_alerts_total"] = ["rule", "severity"],
        ["mcp_egress_process_messages_total"] = ["package"],
        ["mcp_egress_tls_sessions_total"] = ["decrypted", "destination"],
        ["mcp_egress_mail_api_unreadable_total"] = ["provider", "reason"],
        ["mcp_egress_capture_packets_total"] = ["interface"],
        ["mcp_egress_capture_bytes_total"] = ["interface"],
        ["mcp_egress_capture_drops_total"] = ["interface", "cause"],
        ["mcp_egress_anomalies_total"] = ["stage", "name"],
        ["mcp_egress_active_flows"] = [],
        ["mcp_egress_buffered_bytes"] = ["kind"],
        ["mcp_egress_keylog_secrets"] = [],
        ["mcp_egress_last_message_timestamp_seconds"] = [],
        ["mcp_egress_config_reloads_total"] = ["result"],
        ["mcp_egress_events_written_total"] = ["kind"],
    };

    /// <summary>Metric name to the label names its series carry in an exposition text.</summary>
    public static Dictionary<string, HashSet<string>> Labels(string exposition)
    {
        var result = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var raw in exposition.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var m = SeriesRegex().Match(line);
            if (!m.Success) throw new InvalidDataException("not a sample line: " + line);
            var labels = result.TryGetValue(m.Groups[1].Value, out var set) ? set : result[m.Groups[1].Value] = new HashSet<string>(StringComparer.Ordinal);
            foreach (Match l in LabelRegex().Matches(m.Groups[2].Value)) labels.Add(l.Groups[1].Value);
        }
        return result;
    }

    public static Dictionary<string, HashSet<string>> Labels() => Labels(File.ReadAllText(GrafanaFiles.MetricsSample));

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+\S+(?:\s+\d+)?$")]
    private static partial Regex SeriesRegex();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""(?:[^""\\]|\\.)*""")]
    private static partial Regex LabelRegex();
}
