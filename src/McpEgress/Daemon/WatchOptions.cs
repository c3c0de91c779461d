namespace McpEgress.Daemon;

/// <summary>
/// Everything <c>mcp-egress watch</c> needs besides the detection policy and the stage limits: where to capture, which
/// key logs to follow, where events and metrics go. Set by the config file's <c>watch:</c> section
/// (<see cref="Config.WatchSection"/>, snake_case keys) and overridden by command-line flags. Defaults are the documented ones.
/// </summary>
public sealed class WatchOptions
{
    /// <summary>Interfaces to capture on (<c>watch.interfaces</c>, <c>--interface</c>). Default <c>["any"]</c>.</summary>
    public IReadOnlyList<string> Interfaces { get; set; } = ["any"];

    /// <summary>
    /// BPF filter (<c>watch.filter</c>, <c>--filter</c>). Default <c>tcp</c>: SMTP and mail APIs are found by content on
    /// any port, so narrowing by port can miss them; every later stage reads TCP only.
    /// </summary>
    public string Filter { get; set; } = "tcp";

    /// <summary>
    /// Key log files or globs followed as they grow (<c>watch.keylogs</c>, <c>--keylog</c>). Default
    /// <c>/run/mcp-egress/keys/*.keys</c> (<see cref="KeyLogs.KeyLogDefaults.Glob"/>): where <c>inventory --instrument</c>
    /// points MCP servers. A missing folder is fine (nothing to follow until it appears); <c>keylogs: []</c> turns it off.
    /// </summary>
    public IReadOnlyList<string> KeyLogs { get; set; } = [McpEgress.KeyLogs.KeyLogDefaults.Glob];

    /// <summary>Owners (uids) of key log files accepted without a foreign-owner warning (<c>watch.keylog_trusted_uids</c>).</summary>
    public IReadOnlyList<uint> KeyLogTrustedUids { get; set; } = [];

    /// <summary>HOST:PORT of /metrics and /healthz (<c>watch.metrics_listen</c>, <c>--metrics-listen</c>). Default loopback only.</summary>
    public string MetricsListen { get; set; } = "127.0.0.1:9464";

    /// <summary>ECS NDJSON events file (<c>watch.output</c>, <c>--output</c>); null or "-": standard output.</summary>
    public string? Output { get; set; }

    /// <summary>Rotate the events file when it reaches this size (<c>watch.rotate_bytes</c>). Default 100 MiB; 0: never.</summary>
    public long RotateBytes { get; set; } = 100L << 20;

    /// <summary>Rotated files kept: events.ndjson.1 … .N (<c>watch.rotate_keep</c>). Default 5.</summary>
    public int RotateKeep { get; set; } = 5;

    /// <summary>Kernel ring buffer per interface (<c>watch.capture_buffer_bytes</c>). Default 16 MiB.</summary>
    public int CaptureBufferBytes { get; set; } = 16 << 20;

    /// <summary>Packets the capture queue holds (<c>watch.queue_packets</c>). Default 65536.</summary>
    public int QueuePackets { get; set; } = 65536;

    /// <summary>Bytes the capture queue holds (<c>watch.queue_bytes</c>). Default 64 MiB (allocated once at start).</summary>
    public long QueueBytes { get; set; } = 64L << 20;

    /// <summary>Bytes kept per packet (<c>watch.snap_length</c>). Default 262144.</summary>
    public int SnapLength { get; set; } = 262144;

    /// <summary>
    /// Longest time a packet waits in a partly filled kernel block before the pipeline sees it (libpcap read timeout,
    /// <c>watch.capture_latency_ms</c>). Default 20 ms: short, so events follow their packets closely and a flow's
    /// attribution request is made while a short-lived client (swaks: gone ~50 ms after its SYN) still holds its socket
    /// (the SYN tap resolves it earlier still).
    /// </summary>
    public int CaptureLatencyMs { get; set; } = 20;

    /// <summary>
    /// Longest time an event waits in the writer's buffer before it is written to the events file (<c>watch.output_flush_ms</c>).
    /// Default 20 ms: events are written in 64 KiB batches under load and at most this late when traffic is light, so
    /// with <see cref="CaptureLatencyMs"/> an event is in the file well within 100 ms of its packet; a write costs one
    /// syscall, so even 1 ms costs at most 1,000 writes a second.
    /// </summary>
    public int OutputFlushMs { get; set; } = 20;

    /// <summary>Promiscuous mode (<c>watch.promiscuous</c>). Default false.</summary>
    public bool Promiscuous { get; set; }

    /// <summary>
    /// How long ended TLS flows wait for key-log lines that appear late before they are reported opaque
    /// (<c>watch.key_hold_seconds</c>; sets <c>limits.protocol.parked_tls_hold</c>). Default 30 s.
    /// </summary>
    public double KeyHoldSeconds { get; set; } = 30;

    /// <summary>Ciphertext held over all such flows (<c>watch.key_hold_bytes</c>; <c>limits.protocol.max_parked_tls_bytes</c>). Default 64 MiB.</summary>
    public long KeyHoldBytes { get; set; } = 64L << 20;

    /// <summary>Name the local process of each flow from /proc (<c>watch.process_attribution</c>). Default true.</summary>
    public bool ProcessAttribution { get; set; } = true;

    /// <summary>
    /// Budget of the off-path attribution: reads of /proc/net/tcp{,6} per second, each answering every waiting lookup
    /// (<c>watch.attribution_scans_per_second</c>). A quarter of it is kept for mail flows. Default 20.
    /// </summary>
    public int AttributionScansPerSecond { get; set; } = 20;

    /// <summary>Attribution lookups queued at most (<c>watch.attribution_queue</c>); beyond, a flow is not looked up (counted). Default 4096.</summary>
    public int AttributionQueue { get; set; } = 4096;

    /// <summary>
    /// Longest a message waits for its sender before <c>behaviour-change</c> and <c>new-hidden-domain</c> judge it
    /// without one (<c>watch.sender_wait_seconds</c>). Its event and the other rules' alerts are written at once. Default 5 s.
    /// </summary>
    public double SenderWaitSeconds { get; set; } = 5;

    /// <summary>Messages waiting for their sender at once (<c>watch.max_deferred_messages</c>); beyond, judged at once without it (counted). Default 4096.</summary>
    public int MaxDeferredMessages { get; set; } = 4096;

    /// <summary>/healthz answers 503 when the pipeline thread has not run for this long (<c>watch.health_timeout_seconds</c>). Default 10 s.</summary>
    public double HealthTimeoutSeconds { get; set; } = 10;

    /// <summary>How often capture statistics are exported (<c>watch.stats_interval_seconds</c>). Default 1 s.</summary>
    public double StatsIntervalSeconds { get; set; } = 1;

    /// <summary>Packet workers, threads that own flows (<c>watch.workers</c>, <c>--workers</c>). Default: the number of cores.</summary>
    public int Workers { get; set; } = McpEgress.Pipeline.ReplayOptions.DefaultWorkers;

    public WatchOptions Clone() => (WatchOptions)MemberwiseClone();
}
