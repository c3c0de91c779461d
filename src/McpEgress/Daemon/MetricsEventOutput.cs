using McpEgress.Detection;
using McpEgress.Diagnostics;
using McpEgress.Export;
using McpEgress.Export.Prometheus;
using McpEgress.Mail;
using McpEgress.Protocols.MailApis;
using McpEgress.Protocols.Routing;

namespace McpEgress.Daemon;

/// <summary>
/// The daemon's event output: writes each event through <see cref="EcsPipelineOutput"/> (the same NDJSON as replay)
/// and counts it in <see cref="EgressMetrics"/> (messages, recipients, alerts, sending package, TLS sessions,
/// unreadable API calls, and events written once the writer hands them to the file).
/// <para>Events that cannot be written (disk full) are dropped, not counted as written, and counted as the anomaly
/// <c>export/events_dropped</c>; every next batch tries again. The first failure of a streak is logged with the reason,
/// and the recovery with the number dropped; the daemon never stops for it. The writer reports both as they happen
/// (<see cref="IEcsWriteObserver"/>), also from its flush timer.</para>
/// </summary>
public sealed class MetricsEventOutput : IEventOutput, IEcsWriteObserver
{
    private readonly EcsEventWriter _writer;
    private readonly EgressMetrics _metrics;
    private readonly EcsPipelineOutput _ecs;
    private long _droppedAtStreakStart;
    private bool _failing;

    public MetricsEventOutput(EcsEventWriter writer, EgressMetrics metrics)
    {
        _writer = writer;
        _metrics = metrics;
        _ecs = new EcsPipelineOutput(writer);
        writer.Observer = this;
    }

    /// <summary>Where dropped events are counted (the pipeline's anomaly counters, exported as metrics).</summary>
    public IAnomalySink? Anomalies { get; set; }

    /// <summary>Per-server egress: every flow summary goes to it (null: not kept).</summary>
    public McpEgress.Detection.Egress.EgressTracker? Egress { get; set; }

    /// <summary>Receives the one-line reports of a write failure streak and its end.</summary>
    public Action<string>? Log { get; set; }

    public void OnWritten(EcsEventKind kind, long count)
    {
        string label = kind switch { EcsEventKind.Alert => "alert", EcsEventKind.Tls => "tls", EcsEventKind.Inventory => "inventory", _ => "message" };
        _metrics.OnEventWritten(label, count);
        if (!_failing) return;
        _failing = false;
        Log?.Invoke($"events are written again; {_writer.EventsDropped - _droppedAtStreakStart} events were dropped");
    }

    public void OnDropped(long count)
    {
        for (long i = 0; i < count; i++) Anomalies?.Report(AnomalyStage.Export, ExportAnomalies.EventsDropped);
        if (_failing) return;
        _failing = true;
        _droppedAtStreakStart = _writer.EventsDropped - count;
        Log?.Invoke($"warning: cannot write events ({_writer.LastWriteError}); dropping and counting them (anomaly export/events_dropped), retrying with every batch");
    }

    public void OnMessage(MailMessage message, IReadOnlyList<Alert> alerts)
    {
        _ecs.OnMessage(message, alerts);
        _metrics.OnMessage(message, alerts, message.Process?.Package);
    }

    public void OnDeferredAlerts(IReadOnlyList<Alert> alerts)
    {
        _ecs.OnDeferredAlerts(alerts);
        foreach (var a in alerts) _metrics.OnAlert(a.RuleId, a.Severity);
    }

    public void OnTlsSession(TlsSessionRecord record)
    {
        _ecs.OnTlsSession(record);
        _metrics.OnTlsSession(record, Destination(record));
    }

    public void OnMailApiUnreadable(MailApiUnreadableRecord record)
    {
        _ecs.OnMailApiUnreadable(record);
        _metrics.OnMailApiUnreadable(record.Provider, record.Reason);
    }
    public void OnFlowSummary(FlowSummaryRecord record) => Egress?.OnFlowSummary(record);

    /// <summary>"smtp" when the session carried SMTP (or began with STARTTLS), the provider id when SNI is a known mail-API host, else "other".</summary>
    public static string Destination(TlsSessionRecord r)
    {
        if (r.StartTls || r.ApplicationProtocol == "smtp") return "smtp";
        if (MailApiHosts.Normalize(r.Info.ServerName) is { } host && MailApiHosts.Lookup(host) is { } provider) return provider;
        return EgressLabelValues.Other;
    }
}
