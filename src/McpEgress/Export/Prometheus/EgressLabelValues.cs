namespace McpEgress.Export.Prometheus;

/// <summary>The fixed label value sets of the metrics contract (METRICS.md beside this file). Values outside them are exported as "other".</summary>
public static class EgressLabelValues
{
    public const string Other = CappedLabelSet.Other;

    /// <summary>Provider label for SMTP messages.</summary>
    public const string NoProvider = "none";

    /// <summary>Package label when the sending process is not known.</summary>
    public const string UnknownPackage = "unknown";

    /// <summary>Mail API provider ids (MailMessage.Provider values).</summary>
    public static IReadOnlyList<string> Providers => McpEgress.Protocols.MailApis.MailApiProviders.Ids; // declared once, in the registry

    public static IReadOnlyList<string> Roles { get; } = ["to", "cc", "hidden"];

    public static IReadOnlyList<string> HiddenReasons { get; } = ["bcc_field", "envelope_only"];

    public static IReadOnlyList<string> Severities { get; } = ["low", "medium", "high", "critical"];

    public static IReadOnlyList<string> DropCauses { get; } = ["kernel", "interface", "queue"];

    public static IReadOnlyList<string> BufferKinds { get; } = ["reassembly", "tls_parked", "capture_queue"];

    public static IReadOnlyList<string> ReloadResults { get; } = ["success", "failure"];

    /// <summary>Bounds of the per-server egress table (mcp_egress_egress_overflow_total{limit}).</summary>
    public static IReadOnlyList<string> EgressLimits { get; } = ["servers", "destinations", "pending"];

    public static IReadOnlyList<string> EventKinds { get; } = ["message", "alert", "tls", "inventory"];

    /// <summary>How an attribution lookup ended (mcp_egress_attribution_lookups_total{result}).</summary>
    public static IReadOnlyList<string> AttributionResults { get; } = ["process", "socket_only", "syn_tap", "no_socket", "not_local", "negative_cache"];

    /// <summary>Messages that waited for their sender, by outcome (mcp_egress_deferred_messages_total{outcome}).</summary>
    public static IReadOnlyList<string> DeferredOutcomes { get; } = ["held", "resolved", "unresolved", "timeout", "overflow"];

    /// <summary>TLS session destinations: "smtp", a provider id, or "other".</summary>
    public static IReadOnlyList<string> TlsDestinations { get; } = ["smtp", .. Providers, Other];
}
