namespace McpEgress.Export.Prometheus;

/// <summary>Options for <see cref="EgressMetrics"/>: label caps and build identity.</summary>
public sealed class EgressMetricsOptions
{
    /// <summary>Distinct registrable domains kept in <c>mcp_egress_hidden_recipients_total{domain}</c> before folding into "other". Default 100.</summary>
    public int HiddenDomainCap { get; init; } = 100;

    /// <summary>Distinct package names kept in <c>mcp_egress_process_messages_total{package}</c> before folding into "other". Default 100.</summary>
    public int PackageCap { get; init; } = 100;

    /// <summary>Distinct capture interfaces kept in the capture_* counters. Default 16.</summary>
    public int InterfaceCap { get; init; } = 16;

    /// <summary>Distinct reason ids kept in <c>mcp_egress_mail_api_unreadable_total{reason}</c>. Default 50.</summary>
    public int UnreadableReasonCap { get; init; } = 50;

    /// <summary>Distinct values of each label of <c>mcp_egress_mcp_server_info</c> (server, client, package, version, advisory) and of <c>mcp_server</c> on TLS sessions, before folding into "other". Default 200.</summary>
    public int McpServerCap { get; init; } = 200;

    /// <summary>
    /// Distinct uncatalogued (stage, name) anomaly series exported; later ones fold into name "other". Every name in
    /// <see cref="Diagnostics.AnomalyCatalog"/> has its own series, created at zero, outside this cap; an uncatalogued
    /// name would be a bug (tests forbid reporting one). Default 1000.
    /// </summary>
    public int AnomalySeriesCap { get; init; } = 1000;

    /// <summary>Label values longer than this fold into "other" (a DNS name is at most 253 characters). Default 253.</summary>
    public int MaxLabelValueLength { get; init; } = 253;

    /// <summary>build_info version; default: the assembly's informational version, else "unknown".</summary>
    public string? Version { get; init; }

    /// <summary>build_info commit; default "unknown".</summary>
    public string? Commit { get; init; }

    /// <summary>start_time_seconds; default: the time <see cref="EgressMetrics"/> is constructed.</summary>
    public DateTimeOffset? StartTime { get; init; }
}
