using McpEgress.Detection;
using McpEgress.Export;
using McpEgress.Export.Prometheus;
using McpEgress.Mail;
using McpEgress.Protocols;
using McpEgress.Protocols.MailApis;

namespace McpEgress.Daemon;

/// <summary>
/// The daemon's event output: writes each event through <see cref="EcsPipelineOutput"/> (the same NDJSON as replay)
/// and counts it in <see cref="EgressMetrics"/> (messages, recipients, alerts, sending package, TLS sessions,
/// unreadable API calls, events written).
/// </summary>
public sealed class MetricsEventOutput(EcsEventWriter writer, EgressMetrics metrics) : IEventOutput
{
    private readonly EcsPipelineOutput _ecs = new(writer);

    public void OnMessage(MailMessage message, IReadOnlyList<Alert> alerts)
    {
        _ecs.OnMessage(message, alerts);
        metrics.OnEventWritten("message");
        for (int i = 0; i < alerts.Count; i++) metrics.OnEventWritten("alert");
        string? package = message.Extra.TryGetValue(ProcessFlowAnnotator.PackageField, out var p) ? p as string : null;
        metrics.OnMessage(message, alerts, package);
    }

    public void OnTlsSession(TlsSessionRecord record)
    {
        _ecs.OnTlsSession(record);
        metrics.OnEventWritten("tls");
        metrics.OnTlsSession(record, Destination(record));
    }

    public void OnMailApiUnreadable(MailApiUnreadableRecord record)
    {
        _ecs.OnMailApiUnreadable(record);
        metrics.OnEventWritten("message");
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
