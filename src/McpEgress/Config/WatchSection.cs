using System.Globalization;
using McpEgress.Daemon;
using McpEgress.Export.Prometheus;
using YamlDotNet.RepresentationModel;

namespace McpEgress.Config;

/// <summary>
/// The <c>watch:</c> section, read into <see cref="WatchOptions"/> and written back:
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
///   output_flush_ms: 20
///   capture_buffer_bytes: 16777216
///   capture_latency_ms: 20
///   queue_packets: 65536
///   queue_bytes: 67108864
///   snap_length: 262144
///   promiscuous: false
///   key_hold_seconds: 30
///   key_hold_bytes: 67108864
///   process_attribution: true
///   attribution_scans_per_second: 20
///   attribution_queue: 4096
///   sender_wait_seconds: 5
///   max_deferred_messages: 4096
///   health_timeout_seconds: 10
///   stats_interval_seconds: 1
///   workers: 4                       # packet workers; default: the number of cores
/// </code>
/// Numbers and booleans may be written quoted or not only where JSON would type them the same (<c>rotate_keep: "5"</c>
/// is a string, an error). Unknown keys and bad values are errors naming the file, line, column and key path
/// (<c>watch.interfaces[1]</c>).
/// </summary>
internal static class WatchSection
{
    public const string Name = "watch";

    /// <summary>One key: how it is read into the options (errors to the validator) and how its value is written.</summary>
    private sealed record Key(string Name, Action<ConfigEntry, string, ConfigValidator, WatchOptions> Read, Func<WatchOptions, YamlNode> Write);

    private static readonly Key[] Table =
    [
        new("interfaces", (e, p, v, o) => { if (Strings(e, p, v, allowEmpty: false) is { } ifs) o.Interfaces = ifs; },
            o => ConfigYamlWriter.Strings(o.Interfaces)),
        new("filter", (e, p, v, o) =>
            {
                if (e.Value.Scalar() is string f) o.Filter = f;
                else v.Error(e, p, $"expected a BPF filter string (pcap-filter(7)), got {e.Value.DescribeValue()}");
            },
            o => ConfigYamlWriter.String(o.Filter)),
        new("keylogs", (e, p, v, o) => { if (Strings(e, p, v, allowEmpty: true) is { } kls) o.KeyLogs = kls; },
            o => ConfigYamlWriter.Strings(o.KeyLogs)),
        new("keylog_trusted_uids", ReadUids,
            o => ConfigYamlWriter.Flow(new YamlSequenceNode(o.KeyLogTrustedUids.Select(u => ConfigYamlWriter.Number(u))))),
        new("metrics_listen", (e, p, v, o) =>
            {
                if (e.Value.Scalar() is string m && MetricsServerOptions.TryParse(m, out _)) o.MetricsListen = m;
                else v.Error(e, p, $"expected HOST:PORT with an IP address or localhost (e.g. 127.0.0.1:9464), got {e.Value.DescribeValue()}");
            },
            o => ConfigYamlWriter.String(o.MetricsListen)),
        new("output", (e, p, v, o) =>
            {
                if (e.Value.Scalar() is string { Length: > 0 } path) o.Output = path;
                else v.Error(e, p, $"expected a file path (or \"-\" for standard output), got {e.Value.DescribeValue()}");
            },
            o => ConfigYamlWriter.String(string.IsNullOrEmpty(o.Output) ? "-" : o.Output)),
        Integer("rotate_bytes", 0, long.MaxValue, (o, x) => o.RotateBytes = x, o => o.RotateBytes),
        Integer("rotate_keep", 0, 1000, (o, x) => o.RotateKeep = (int)x, o => o.RotateKeep),
        Integer("output_flush_ms", 1, 10_000, (o, x) => o.OutputFlushMs = (int)x, o => o.OutputFlushMs),
        Integer("capture_buffer_bytes", 0, int.MaxValue, (o, x) => o.CaptureBufferBytes = (int)x, o => o.CaptureBufferBytes),
        Integer("capture_latency_ms", 1, 10_000, (o, x) => o.CaptureLatencyMs = (int)x, o => o.CaptureLatencyMs),
        Integer("queue_packets", 1, 16 << 20, (o, x) => o.QueuePackets = (int)x, o => o.QueuePackets),
        Integer("queue_bytes", 262144, Array.MaxLength, (o, x) => o.QueueBytes = x, o => o.QueueBytes),
        Integer("snap_length", 64, 262144, (o, x) => o.SnapLength = (int)x, o => o.SnapLength),
        Bool("promiscuous", (o, x) => o.Promiscuous = x, o => o.Promiscuous),
        Seconds("key_hold_seconds", 0, 3600, (o, x) => o.KeyHoldSeconds = x, o => o.KeyHoldSeconds),
        Integer("key_hold_bytes", 0, long.MaxValue, (o, x) => o.KeyHoldBytes = x, o => o.KeyHoldBytes),
        Bool("process_attribution", (o, x) => o.ProcessAttribution = x, o => o.ProcessAttribution),
        Integer("attribution_scans_per_second", 1, 10_000, (o, x) => o.AttributionScansPerSecond = (int)x, o => o.AttributionScansPerSecond),
        Integer("attribution_queue", 1, 1 << 20, (o, x) => o.AttributionQueue = (int)x, o => o.AttributionQueue),
        Seconds("sender_wait_seconds", 0, 300, (o, x) => o.SenderWaitSeconds = x, o => o.SenderWaitSeconds),
        Integer("max_deferred_messages", 1, 1 << 20, (o, x) => o.MaxDeferredMessages = (int)x, o => o.MaxDeferredMessages),
        Seconds("health_timeout_seconds", 1, 3600, (o, x) => o.HealthTimeoutSeconds = x, o => o.HealthTimeoutSeconds),
        Seconds("stats_interval_seconds", 0.1, 3600, (o, x) => o.StatsIntervalSeconds = x, o => o.StatsIntervalSeconds),
        new("workers", (e, p, v, o) => { if (ReplaySection.ReadWorkers(e, p, v) is { } n) o.Workers = n; },
            o => ConfigYamlWriter.Number(o.Workers)),
    ];

    /// <summary>The section's keys, in the order they are documented and written.</summary>
    public static IReadOnlyList<string> Keys { get; } = Table.Select(k => k.Name).ToArray();

    public static WatchOptions Read(ConfigNode node, ConfigValidator v)
    {
        var o = new WatchOptions();
        ConfigEntry? queueBytes = null;
        foreach (var e in v.Entries(node, Name, Keys))
        {
            if (e.Key == "queue_bytes") queueBytes = e;
            Table.First(k => k.Name == e.Key).Read(e, Name + "." + e.Key, v, o);
        }
        if (o.SnapLength > o.QueueBytes)
            v.Error(queueBytes?.Line ?? 0, queueBytes?.Column ?? 0, Name + ".queue_bytes", $"must be at least snap_length ({o.SnapLength})");
        return o;
    }

    /// <summary>Every key with its effective value (an unset <see cref="WatchOptions.Output"/> is written as "-", standard output).</summary>
    public static YamlMappingNode Write(WatchOptions options)
    {
        var map = new YamlMappingNode();
        foreach (var k in Table) map.Add(k.Name, k.Write(options));
        return map;
    }

    private static void ReadUids(ConfigEntry e, string path, ConfigValidator v, WatchOptions o)
    {
        if (e.Value.Kind != ConfigNodeKind.Sequence)
        {
            v.Error(e, path, $"expected a list of uids, got {e.Value.DescribeValue()}");
            return;
        }
        var list = new List<uint>();
        for (int i = 0; i < e.Value.Items!.Count; i++)
        {
            var item = e.Value.Items[i];
            if (item.Scalar() is long u && u is >= 0 and <= uint.MaxValue) list.Add((uint)u);
            else v.Error(item, $"{path}[{i}]", $"expected a uid (0..{uint.MaxValue}), got {item.DescribeValue()}");
        }
        o.KeyLogTrustedUids = list;
    }

    internal static List<string>? Strings(ConfigEntry e, string path, ConfigValidator v, bool allowEmpty)
    {
        if (e.Value.Scalar() is string { Length: > 0 } one) return [one];
        if (e.Value.Kind != ConfigNodeKind.Sequence)
        {
            v.Error(e, path, $"expected a list of strings, got {e.Value.DescribeValue()}");
            return null;
        }
        var items = e.Value.Items!;
        if (items.Count == 0 && !allowEmpty)
        {
            v.Error(e, path, "expected at least one entry");
            return null;
        }
        var result = new List<string>();
        bool ok = true;
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i].Scalar() is string { Length: > 0 } item && !string.IsNullOrWhiteSpace(item)) result.Add(item);
            else
            {
                v.Error(items[i], $"{path}[{i}]", $"expected a non-empty string, got {items[i].DescribeValue()}");
                ok = false;
            }
        }
        return ok ? result : null;
    }

    private static Key Integer(string name, long min, long max, Action<WatchOptions, long> set, Func<WatchOptions, long> get) =>
        new(name, (e, p, v, o) =>
        {
            if (e.Value.Scalar() is long l && l >= min && l <= max) set(o, l);
            else v.Error(e, p, $"expected a whole number from {min} to {max}, got {e.Value.DescribeValue()}");
        }, o => ConfigYamlWriter.Number(get(o)));

    private static Key Seconds(string name, double min, double max, Action<WatchOptions, double> set, Func<WatchOptions, double> get) =>
        new(name, (e, p, v, o) =>
        {
            double? d = e.Value.Scalar() switch { long l => l, double x => x, _ => null };
            if (d is { } s && s >= min && s <= max) set(o, s);
            else
                v.Error(e, p, $"expected a number of seconds from {min.ToString(CultureInfo.InvariantCulture)} to "
                    + $"{max.ToString(CultureInfo.InvariantCulture)}, got {e.Value.DescribeValue()}");
        }, o => ConfigYamlWriter.Number(get(o)));

    private static Key Bool(string name, Action<WatchOptions, bool> set, Func<WatchOptions, bool> get) =>
        new(name, (e, p, v, o) =>
        {
            if (e.Value.Scalar() is bool b) set(o, b);
            else v.Error(e, p, $"expected true or false, got {e.Value.DescribeValue()}");
        }, o => ConfigYamlWriter.Bool(get(o)));
}
