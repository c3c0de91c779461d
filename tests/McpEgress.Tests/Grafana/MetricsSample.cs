using System.Text.RegularExpressions;
using McpEgress.Daemon;
using McpEgress.Detection;
using McpEgress.Diagnostics;
using McpEgress.Export;
using McpEgress.Export.Prometheus;
using McpEgress.Pipeline;
using McpEgress.Protocols.Smtp;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Grafana;

/// <summary>
/// The /metrics page every dashboard and alert query is checked against, generated, not written: every shipped
/// capture under captures/ (with its key log, <c>X.keys</c> beside <c>X.pcap</c>, when there is one) is replayed
/// through the real pipeline into the daemon's own event output (<see cref="MetricsEventOutput"/>) and one real
/// <see cref="EgressMetrics"/>, which is then scraped. What a replay cannot produce and a live daemon does is added
/// through the same public methods the daemon calls, and named here: capture statistics (the replayed packets and bytes
/// as interface "lo"), one anomaly (the shipped captures are clean; every catalogued anomaly is there at zero) and one
/// config reload.
/// </summary>
internal static partial class MetricsSample
{
    private static readonly Lazy<string> Generated = new(Generate);

    /// <summary>The generated exposition text.</summary>
    public static string Text => Generated.Value;

    /// <summary>The captures replayed, in order: every .pcap and .pcapng under captures/.</summary>
    public static IReadOnlyList<string> Captures() =>
        Directory.EnumerateFiles(RepoPaths.Captures, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".pcap", StringComparison.Ordinal) || f.EndsWith(".pcapng", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();

    private static string Generate() => Generate(Captures());

    /// <summary>The page after replaying <paramref name="captures"/> (each with its key log) into one metrics object.</summary>
    public static string Generate(IEnumerable<string> captures)
    {
        var metrics = new EgressMetrics(new EgressMetricsOptions { Version = "0.1.0", Commit = "sample", StartTime = DateTimeOffset.FromUnixTimeSeconds(1_758_794_400) });
        var output = new MetricsEventOutput(new EcsEventWriter(Stream.Null, new EcsWriterOptions()), metrics);
        metrics.AddInterface("lo");
        long packets = 0, bytes = 0;
        foreach (var capture in captures)
        {
            var pipeline = new MonitorPipeline(new PipelineOptions(), new DetectionEngine(DetectionPolicy.Default), output);
            metrics.AttachAnomalies(pipeline.Anomalies);
            metrics.SetActiveFlowsCallback(() => pipeline.Reassembler.ActiveFlows);
            metrics.SetBufferedBytesCallback("reassembly", () => pipeline.Reassembler.BufferedBytes);
            metrics.SetBufferedBytesCallback("tls_parked", () => pipeline.Router.ParkedTls.Bytes);
            metrics.SetKeylogSecretsCallback(() => pipeline.KeyLog.Count);
            string keys = Path.ChangeExtension(capture, ".keys");
            if (File.Exists(keys)) pipeline.KeyLog.LoadFile(keys);
            string? error = new CaptureReplay(pipeline, pipeline.Options.Capture).ReplayFile(capture, null);
            if (error is not null) throw new InvalidDataException(error);
            pipeline.Finish();
            packets += pipeline.Stats.Packets;
            bytes += pipeline.Stats.Bytes;
            metrics.SetCaptureStats("lo", packets, bytes, 0, 0, 0);
            metrics.SetWorkerPackets(0, packets);
        }
        var live = new AnomalyCounters();
        live.Report(AnomalyStage.Smtp, SmtpAnomalies.LineTooLong);
        metrics.AttachAnomalies(live);
        metrics.OnConfigReload(true);
        metrics.SetStateWritesDroppedCallback(() => 0);
        // The inventory of a live daemon: one server matching the built-in advisory, one clean.
        metrics.SetMcpServers([
            new McpServerInfoLabels("claude-desktop", "postmark", "postmark-mcp", "1.0.16", false, "MAL-2025-47604"),
            new McpServerInfoLabels("cursor", "fetch", "mcp-server-fetch", "2025.4.7", true, ""),
        ]);
        // Per-server egress of a live daemon: the postmark server has reached three destinations.
        metrics.SetMcpServerDestinations("claude-desktop", "postmark", 3);
        return metrics.ToText();
    }

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
        ["mcp_egress_tls_sessions_total"] = ["decrypted", "destination", "mcp_server", "instrumented"],
        ["mcp_egress_mail_api_unreadable_total"] = ["provider", "reason"],
        ["mcp_egress_capture_packets_total"] = ["interface"],
        ["mcp_egress_capture_bytes_total"] = ["interface"],
        ["mcp_egress_capture_drops_total"] = ["interface", "cause"],
        ["mcp_egress_bypassed_packets_total"] = ["stage"],
        ["mcp_egress_bypassed_bytes_total"] = ["stage"],
        ["mcp_egress_anomalies_total"] = ["stage", "name"],
        ["mcp_egress_active_flows"] = [],
        ["mcp_egress_buffered_bytes"] = ["kind"],
        ["mcp_egress_keylog_secrets"] = [],
        ["mcp_egress_last_message_timestamp_seconds"] = [],
        ["mcp_egress_config_reloads_total"] = ["result"],
        ["mcp_egress_events_written_total"] = ["kind"],
        ["mcp_egress_mcp_server_info"] = ["client", "server", "package", "version", "instrumented", "advisory"],
        ["mcp_egress_mcp_server_destinations"] = ["client", "server"],
        ["mcp_egress_egress_overflow_total"] = ["limit"],
        ["mcp_egress_state_writes_dropped_total"] = [],
        ["mcp_egress_attribution_queue_depth"] = [],
        ["mcp_egress_attribution_lookups_total"] = ["result"],
        ["mcp_egress_attribution_scans_total"] = [],
        ["mcp_egress_attribution_dropped_total"] = [],
        ["mcp_egress_deferred_messages_total"] = ["outcome"],
        ["mcp_egress_worker_packets_total"] = ["worker"],
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

    public static Dictionary<string, HashSet<string>> Labels() => Labels(Text);

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+\S+(?:\s+\d+)?$")]
    private static partial Regex SeriesRegex();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""(?:[^""\\]|\\.)*""")]
    private static partial Regex LabelRegex();
}
