using McpEgress.Config;
using McpEgress.Daemon;

namespace McpEgress.Tests.Config;

public class WatchSectionTests
{
    private static WatchOptions Bind(string yaml) => ConfigLoader.Parse(yaml, "yaml", "w.yaml").Watch;

    private static string[] Errors(string yaml) =>
        Assert.Throws<ConfigException>(() => Bind(yaml)).Errors.Select(e => e.ToString()).ToArray();

    [Fact]
    public void NoWatchSection_GivesTheDefaults()
    {
        var o = Bind("detection: {}\n");
        Assert.Equal(["any"], o.Interfaces);
        Assert.Equal("tcp", o.Filter);
        Assert.Equal("127.0.0.1:9464", o.MetricsListen);
        Assert.Null(o.Output);
        Assert.Equal([McpEgress.KeyLogs.KeyLogDefaults.Glob], o.KeyLogs); // where inventory --instrument points servers
        Assert.True(o.ProcessAttribution);
        Assert.Equal(30, o.KeyHoldSeconds);
        Assert.Equal(20, o.AttributionScansPerSecond);
        Assert.Equal(4096, o.AttributionQueue);
        Assert.Equal(5, o.SenderWaitSeconds);
        Assert.Equal(4096, o.MaxDeferredMessages);
    }

    [Fact]
    public void EveryKeyBinds()
    {
        var o = Bind("""
            watch:
              interfaces: [lo, eth0]
              filter: "tcp port 25 or tcp port 443"
              keylogs: /run/mcp-egress/keys/*.keys
              keylog_trusted_uids: [1000, 1001]
              metrics_listen: "0.0.0.0:9100"
              output: /var/log/mcp-egress/events.ndjson
              rotate_bytes: 1000
              rotate_keep: 2
              output_flush_ms: 35
              capture_buffer_bytes: 1048576
              capture_latency_ms: 50
              queue_packets: 1024
              queue_bytes: 1048576
              snap_length: 65535
              promiscuous: true
              key_hold_seconds: 2.5
              key_hold_bytes: 4096
              process_attribution: false
              attribution_scans_per_second: 7
              attribution_queue: 100
              sender_wait_seconds: 1.5
              max_deferred_messages: 10
              health_timeout_seconds: 5
              stats_interval_seconds: 0.5
            """);
        Assert.Equal(["lo", "eth0"], o.Interfaces);
        Assert.Equal("tcp port 25 or tcp port 443", o.Filter);
        Assert.Equal(["/run/mcp-egress/keys/*.keys"], o.KeyLogs); // one string is a list of one
        Assert.Equal([1000u, 1001u], o.KeyLogTrustedUids);
        Assert.Equal("0.0.0.0:9100", o.MetricsListen);
        Assert.Equal("/var/log/mcp-egress/events.ndjson", o.Output);
        Assert.Equal(1000, o.RotateBytes);
        Assert.Equal(2, o.RotateKeep);
        Assert.Equal(35, o.OutputFlushMs);
        Assert.Equal(1048576, o.CaptureBufferBytes);
        Assert.Equal(50, o.CaptureLatencyMs);
        Assert.Equal(1024, o.QueuePackets);
        Assert.Equal(1048576, o.QueueBytes);
        Assert.Equal(65535, o.SnapLength);
        Assert.True(o.Promiscuous);
        Assert.Equal(2.5, o.KeyHoldSeconds);
        Assert.Equal(4096, o.KeyHoldBytes);
        Assert.False(o.ProcessAttribution);
        Assert.Equal(7, o.AttributionScansPerSecond);
        Assert.Equal(100, o.AttributionQueue);
        Assert.Equal(1.5, o.SenderWaitSeconds);
        Assert.Equal(10, o.MaxDeferredMessages);
        Assert.Equal(5, o.HealthTimeoutSeconds);
        Assert.Equal(0.5, o.StatsIntervalSeconds);
    }

    [Fact]
    public void Errors_NameFileLineColumnAndKeyPath_AllAtOnce()
    {
        var errors = Errors("""
            watch:
              interfaces: [lo, 7, ""]
              metrics_listen: "example.com:9464"
              rotate_keep: lots
              bogus: 1
            """);
        Assert.Equal(
        [
            "w.yaml:2:20: watch.interfaces[1]: expected a non-empty string, got the number 7",
            "w.yaml:2:23: watch.interfaces[2]: expected a non-empty string, got the string \"\"",
            "w.yaml:3:3: watch.metrics_listen: expected HOST:PORT with an IP address or localhost (e.g. 127.0.0.1:9464), got the string \"example.com:9464\"",
            "w.yaml:4:3: watch.rotate_keep: expected a whole number from 0 to 1000, got the string \"lots\"",
            $"w.yaml:5:3: watch.bogus: unknown key \"bogus\" (expected one of: {string.Join(", ", WatchSection.Keys)})",
        ], errors);
    }

    [Theory]
    [InlineData("watch:\n  interfaces: []\n", "w.yaml:2:3: watch.interfaces: expected at least one entry")]
    [InlineData("watch:\n  filter: [tcp]\n", "w.yaml:2:3: watch.filter: expected a BPF filter string (pcap-filter(7)), got a list")]
    [InlineData("watch:\n  promiscuous: maybe\n", "w.yaml:2:3: watch.promiscuous: expected true or false, got the string \"maybe\"")]
    [InlineData("watch:\n  key_hold_seconds: -1\n", "w.yaml:2:3: watch.key_hold_seconds: expected a number of seconds from 0 to 3600, got the number -1")]
    [InlineData("watch:\n  keylog_trusted_uids: [1000, -5]\n", "w.yaml:2:31: watch.keylog_trusted_uids[1]: expected a uid (0..4294967295), got the number -5")]
    [InlineData("watch:\n  snap_length: 65536\n  queue_bytes: 262144\n  capture_latency_ms: 0\n", "w.yaml:4:3: watch.capture_latency_ms: expected a whole number from 1 to 10000, got the number 0")]
    public void BadValues(string yaml, string expected) => Assert.Equal([expected], Errors(yaml));

    [Fact]
    public void WatchMustBeAMapping() =>
        Assert.Equal(["w.yaml:1:8: watch: expected a mapping, got a list"],
            Assert.Throws<ConfigException>(() => ConfigLoader.Parse("watch: [lo]\n", "yaml", "w.yaml")).Errors.Select(e => e.ToString()));

    [Fact]
    public void JsonConfig_BindsTheSameWay()
    {
        var o = ConfigLoader.Parse("""{ "watch": { "interfaces": ["lo"], "output": "-" } }""", "json", "w.json").Watch;
        Assert.Equal(["lo"], o.Interfaces);
        Assert.Equal("-", o.Output);
    }
}
