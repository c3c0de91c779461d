using System.Globalization;
using McpEgress.Detection;
using McpEgress.Export.Prometheus;

namespace McpEgress.Daemon;

/// <summary>
/// Binds a config file's <c>watch:</c> section to <see cref="WatchOptions"/>:
/// <code>
/// watch:
///   interfaces: [lo, eth0]            # or one string
///   filter: "tcp"
///   keylogs: [/run/mcp-egress/keys/*.keys]
///   keylog_trusted_uids: [1000]
///   metrics_listen: 127.0.0.1:9464
///   output: /var/log/mcp-egress/events.ndjson
///   rotate_bytes: 104857600          # 0: never rotate
///   rotate_keep: 5
///   capture_buffer_bytes: 16777216
///   capture_latency_ms: 20
///   queue_packets: 65536
///   queue_bytes: 67108864
///   snap_length: 262144
///   promiscuous: false
///   key_hold_seconds: 30
///   key_hold_bytes: 67108864
///   process_attribution: true
///   health_timeout_seconds: 10
///   stats_interval_seconds: 1
/// </code>
/// Unknown keys and bad values are <see cref="ConfigException"/> errors naming the file, line, column and key path
/// (<c>watch.interfaces[1]</c>), all collected before throwing.
/// </summary>
public static class WatchConfig
{
    public static IReadOnlyList<string> Keys { get; } =
    [
        "interfaces", "filter", "keylogs", "keylog_trusted_uids", "metrics_listen", "output", "rotate_bytes", "rotate_keep",
        "capture_buffer_bytes", "capture_latency_ms", "queue_packets", "queue_bytes", "snap_length", "promiscuous", "key_hold_seconds",
        "key_hold_bytes", "process_attribution", "health_timeout_seconds", "stats_interval_seconds",
    ];

    /// <summary>Options from <paramref name="config"/>'s <c>watch</c> section over the defaults.</summary>
    /// <exception cref="ConfigException">A key is unknown or a value invalid.</exception>
    public static WatchOptions Bind(McpEgressConfig config)
    {
        var o = new WatchOptions();
        var errors = new List<ConfigError>();
        string source = config.SourcePath ?? "<config>";
        void Error(string path, string problem)
        {
            var (line, col) = config.Positions.TryGetValue(path, out var p) ? p : (0, 0);
            errors.Add(new ConfigError(source, line, col, path, problem));
        }

        foreach (var (key, value) in config.Watch)
        {
            string path = "watch." + key;
            switch (key)
            {
                case "interfaces":
                    if (Strings(value, path, Error, allowEmpty: false) is { } ifs) o.Interfaces = ifs;
                    break;
                case "keylogs":
                    if (Strings(value, path, Error, allowEmpty: true) is { } kls) o.KeyLogs = kls;
                    break;
                case "filter":
                    if (value is string f) o.Filter = f;
                    else Error(path, $"expected a BPF filter string (pcap-filter(7)), got {Describe(value)}");
                    break;
                case "metrics_listen":
                    if (value is string m && MetricsServerOptions.TryParse(m, out _)) o.MetricsListen = m;
                    else Error(path, $"expected HOST:PORT with an IP address or localhost (e.g. 127.0.0.1:9464), got {Describe(value)}");
                    break;
                case "output":
                    if (value is string { Length: > 0 } outPath) o.Output = outPath;
                    else Error(path, $"expected a file path (or \"-\" for standard output), got {Describe(value)}");
                    break;
                case "keylog_trusted_uids":
                    if (value is List<object?> uids)
                    {
                        var list = new List<uint>();
                        for (int i = 0; i < uids.Count; i++)
                            if (uids[i] is long u && u is >= 0 and <= uint.MaxValue) list.Add((uint)u);
                            else Error($"{path}[{i}]", $"expected a uid (0..{uint.MaxValue}), got {Describe(uids[i])}");
                        o.KeyLogTrustedUids = list;
                    }
                    else Error(path, $"expected a list of uids, got {Describe(value)}");
                    break;
                case "rotate_bytes": if (Integer(value, path, 0, long.MaxValue, Error) is { } rb) o.RotateBytes = rb; break;
                case "rotate_keep": if (Integer(value, path, 0, 1000, Error) is { } rk) o.RotateKeep = (int)rk; break;
                case "capture_buffer_bytes": if (Integer(value, path, 0, int.MaxValue, Error) is { } cb) o.CaptureBufferBytes = (int)cb; break;
                case "capture_latency_ms": if (Integer(value, path, 1, 10_000, Error) is { } cl) o.CaptureLatencyMs = (int)cl; break;
                case "queue_packets": if (Integer(value, path, 1, 16 << 20, Error) is { } qp) o.QueuePackets = (int)qp; break;
                case "queue_bytes": if (Integer(value, path, 262144, Array.MaxLength, Error) is { } qb) o.QueueBytes = qb; break;
                case "snap_length": if (Integer(value, path, 64, 262144, Error) is { } sl) o.SnapLength = (int)sl; break;
                case "key_hold_bytes": if (Integer(value, path, 0, long.MaxValue, Error) is { } kb) o.KeyHoldBytes = kb; break;
                case "key_hold_seconds": if (Seconds(value, path, 0, 3600, Error) is { } ks) o.KeyHoldSeconds = ks; break;
                case "health_timeout_seconds": if (Seconds(value, path, 1, 3600, Error) is { } hs) o.HealthTimeoutSeconds = hs; break;
                case "stats_interval_seconds": if (Seconds(value, path, 0.1, 3600, Error) is { } ss) o.StatsIntervalSeconds = ss; break;
                case "promiscuous": if (Bool(value, path, Error) is { } pr) o.Promiscuous = pr; break;
                case "process_attribution": if (Bool(value, path, Error) is { } pa) o.ProcessAttribution = pa; break;
                default:
                    Error(path, $"unknown key \"{ConfigReadLimits.Quote(key)}\" (expected one of: {string.Join(", ", Keys)})");
                    break;
            }
        }
        if (o.SnapLength > o.QueueBytes) Error("watch.queue_bytes", $"must be at least snap_length ({o.SnapLength})");
        if (errors.Count > 0) throw new ConfigException(errors);
        return o;
    }

    private static List<string>? Strings(object? value, string path, Action<string, string> error, bool allowEmpty)
    {
        if (value is string s && s.Length > 0) return [s];
        if (value is not List<object?> items)
        {
            error(path, $"expected a list of strings, got {Describe(value)}");
            return null;
        }
        if (items.Count == 0 && !allowEmpty)
        {
            error(path, "expected at least one entry");
            return null;
        }
        var result = new List<string>();
        bool ok = true;
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is string { Length: > 0 } item && !string.IsNullOrWhiteSpace(item)) result.Add(item);
            else { error($"{path}[{i}]", $"expected a non-empty string, got {Describe(items[i])}"); ok = false; }
        }
        return ok ? result : null;
    }

    private static long? Integer(object? value, string path, long min, long max, Action<string, string> error)
    {
        if (value is long l && l >= min && l <= max) return l;
        error(path, $"expected a whole number from {min} to {max}, got {Describe(value)}");
        return null;
    }

    private static double? Seconds(object? value, string path, double min, double max, Action<string, string> error)
    {
        double? d = value switch { long l => l, double x => x, _ => null };
        if (d is { } v && v >= min && v <= max) return v;
        error(path, $"expected a number of seconds from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, got {Describe(value)}");
        return null;
    }

    private static bool? Bool(object? value, string path, Action<string, string> error)
    {
        if (value is bool b) return b;
        error(path, $"expected true or false, got {Describe(value)}");
        return null;
    }

    private static string Describe(object? v) => v switch
    {
        null => "null",
        string s => $"the string \"{ConfigReadLimits.Quote(s)}\"",
        bool b => b ? "true" : "false",
        long or double => "the number " + Convert.ToString(v, CultureInfo.InvariantCulture),
        List<object?> => "a list",
        _ => "a mapping",
    };
}
