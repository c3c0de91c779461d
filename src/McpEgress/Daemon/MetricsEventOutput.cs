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
/// unreadable API calls, events written).
/// <para>An event that cannot be written (disk full) is dropped, not counted as written, and counted as the anomaly
/// <c>export/events_dropped</c>; every next event tries again. The first failure of a streak is logged with the reason,
/// and the recovery with the number dropped; the daemon never stops for it.</para>
/// </summary>
public sealed class MetricsEventOutput(EcsEventWriter writer, EgressMetrics metrics) : IEventOutput
{
    private readonly EcsPipelineOutput _ecs = new(writer);
    private long _droppedAtStreakStart;
    private bool _failing;

    /// <summary>Where dropped events are counted (the pipeline's anomaly counters, exported as metrics).</summary>
    public IAnomalySink? Anomalies { get; set; }

    /// <summary>Receives the one-line reports of a write failure streak and its end.</summary>
    public Action<string>? Log { get; set; }

    /// <summary>Writes one event through <paramref name="write"/>; false (counted, logged) when it was dropped.</summary>
    private bool Written(Action write)
    {
        long dropped = writer.EventsDropped;
        write();
        long lost = writer.EventsDropped - dropped;
        if (lost == 0)
        {
            if (_failing)
            {
                _failing = false;
                Log?.Invoke($"events are written again; {writer.EventsDropped - _droppedAtStreakStart} events were dropped");
            }
            return true;
        }
        for (long i = 0; i < lost; i++) Anomalies?.Report(AnomalyStage.Export, "events_dropped");
        if (!_failing)
        {
            _failing = true;
            _droppedAtStreakStart = dropped;
            Log?.Invoke($"warning: cannot write events ({writer.LastWriteError}); dropping and counting them (anomaly export/events_dropped), retrying with every event");
        }
        return false;
    }

    public void OnMessage(MailMessage message, IReadOnlyList<Alert> alerts)
    {
        long before = writer.EventsWritten;
        Written(() => _ecs.OnMessage(message, alerts));
        // A message and its alerts are separate lines; count those that were written.
        long written = writer.EventsWritten - before;
        if (written > 0) metrics.OnEventWritten("message");
        for (int i = 0; i < Math.Min(alerts.Count, written - 1); i++) metrics.OnEventWritten("alert");
        string? package = message.Extra.TryGetValue(ProcessFlowAnnotator.PackageField, out var p) ? p as string : null;
        metrics.OnMessage(message, alerts, package);
    }

    public void OnTlsSession(TlsSessionRecord record)
    {
        if (Written(() => _ecs.OnTlsSession(record))) metrics.OnEventWritten("tls");
        metrics.OnTlsSession(record, Destination(record));
    }

    public void OnMailApiUnreadable(MailApiUnreadableRecord record)
    {
        if (Written(() => _ecs.OnMailApiUnreadable(record))) metrics.OnEventWritten("message");
        metrics.OnMailApiUnreadable(record.Provider, record.Reason);
    }

    /// <summary>"smtp" when the session carried SMTP (or began with STARTTLS), the provider id when SNI is a known mail-API host, else "other".</summary>
    public static string Destination(TlsSessionRecord r)
    {
        if (r.StartTls || r.ApplicationProtocol == "smtp") return "smtp";
        if (MailApiHosts.Normalize(r.Info.ServerName) is { } host && MailApiHosts.Lookup(host) is { } provider) return provider;
        return EgressLabelValues.Other;
    }
}
