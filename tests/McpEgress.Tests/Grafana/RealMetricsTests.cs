using McpEgress.Detection;
using McpEgress.Export;
using McpEgress.Export.Prometheus;
using McpEgress.Mail;
using McpEgress.Pipeline;
using McpEgress.Protocols;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Grafana;

/// <summary>
/// Keeps the hand-written sample that the dashboard and alert queries are checked against honest: the daemon's real
/// metrics code, fed by replaying every shipped capture, must export exactly the sample's metric and label names.
/// </summary>
public sealed class RealMetricsTests
{
    private sealed class MetricsOutput(EgressMetrics metrics) : IEventOutput
    {
        public void OnMessage(MailMessage message, IReadOnlyList<Alert> alerts) => metrics.OnMessage(message, alerts, null);
        public void OnTlsSession(TlsSessionRecord record) => metrics.OnTlsSession(record, McpEgress.Daemon.MetricsEventOutput.Destination(record));
        public void OnMailApiUnreadable(MailApiUnreadableRecord record) => metrics.OnMailApiUnreadable(record.Provider, record.Reason);
    }

    private static string RealExposition()
    {
        var metrics = new EgressMetrics();
        metrics.AddInterface("lo");
        metrics.SetCaptureStats("lo", 10, 1000, 1, 0, 2);
        foreach (var expected in Directory.EnumerateFiles(RepoPaths.Captures, "*.expected.json", SearchOption.AllDirectories))
        {
            var e = ExpectedCapture.Load(expected);
            var dir = Path.GetDirectoryName(expected)!;
            var pipeline = new MonitorPipeline(new PipelineOptions(), new DetectionEngine(DetectionPolicy.Default), new MetricsOutput(metrics));
            metrics.AttachAnomalies(pipeline.Anomalies);
            if (e.KeyLog is { } k) pipeline.KeyLog.LoadFile(Path.Combine(dir, k));
            new CaptureReplay(pipeline, pipeline.Options.Capture).ReplayFile(Path.Combine(dir, e.Capture), null);
            pipeline.Finish();
            metrics.SetActiveFlowsCallback(() => pipeline.Reassembler.ActiveFlows);
            metrics.SetKeylogSecretsCallback(() => pipeline.KeyLog.Count);
        }
        // The shipped captures are clean (no anomaly) and hold no unreadable send call; a real daemon meets both.
        var anomalies = new McpEgress.Diagnostics.AnomalyCounters();
        anomalies.Report("smtp", "line_too_long");
        metrics.AttachAnomalies(anomalies);
        metrics.OnMailApiUnreadable("postmark", "unparseable_json");
        metrics.OnConfigReload(true);
        metrics.OnEventWritten("message");
        var ms = new MemoryStream();
        metrics.WriteTo(ms);
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    [Fact]
    public void SampleHasTheRealMetricsAndLabelNames()
    {
        var real = MetricsSample.Labels(RealExposition());
        var sample = MetricsSample.Labels();
        foreach (var (name, labels) in sample)
        {
            Assert.True(real.ContainsKey(name), $"the sample has {name}, the daemon's metrics do not");
            Assert.True(real[name].SetEquals(labels), $"{name}: sample labels [{string.Join(",", labels.Order())}] real [{string.Join(",", real[name].Order())}]");
        }
        foreach (var name in real.Keys)
            Assert.True(sample.ContainsKey(name), $"the daemon exports {name}, which the sample (and so the query checks) lacks");
    }

    [Fact]
    public void RealMetricsCountWhatTheCapturesHold()
    {
        var text = RealExposition();
        // 13 SMTP captures and 15 API captures; the incident alone gives 3 critical denied-domain alerts.
        Assert.Matches(@"mcp_egress_alerts_total\{rule=""denied-domain"",severity=""critical""\} [1-9]\d*", text);
        Assert.Matches(@"mcp_egress_messages_total\{transport=""http"",provider=""postmark""\} [1-9]\d*", text);
        Assert.Matches(@"mcp_egress_tls_sessions_total\{decrypted=""true"",destination=""smtp""\} [1-9]", text);
        Assert.Matches(@"mcp_egress_hidden_recipients_total\{domain=""giftshop.club"",reason=""envelope_only""\} [1-9]", text);
    }
}
