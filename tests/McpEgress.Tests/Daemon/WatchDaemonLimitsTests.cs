using McpEgress.Config;
using McpEgress.Daemon;
using McpEgress.Pipeline;

namespace McpEgress.Tests.Daemon;

/// <summary>
/// The daemon applies <c>watch.key_hold_seconds</c> / <c>key_hold_bytes</c> to the protocol limits on its own copy: the
/// caller's config (and the limits object in it) is the same after the daemon is built, started and reloaded.
/// </summary>
public sealed class WatchDaemonLimitsTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("mcp-egress-daemon-limits").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private const string Yaml = """
        limits:
          protocol: { parked_tls_hold: 45s, max_parked_tls_bytes: 1048576 }
          reassembly: { max_flows: 1234 }
        watch:
          interfaces: [lo]
          filter: "tcp port 1"
          metrics_listen: "127.0.0.1:0"
          key_hold_seconds: 5
          key_hold_bytes: 4096
          process_attribution: false
        """;

    [Fact]
    public void PipelineOptionsCopyIsDeep()
    {
        var original = ConfigLoader.Parse(Yaml, "yaml").Limits;
        var copy = original.Copy();
        Assert.NotSame(original.Protocols, copy.Protocols);
        Assert.NotSame(original.Protocols.Protocol, copy.Protocols.Protocol);
        Assert.NotSame(original.Reassembly, copy.Reassembly);
        Assert.Equal(Text(original), Text(copy));
        copy.Protocols.Protocol.ParkedTlsHold = TimeSpan.FromHours(1);
        copy.Reassembly.MaxFlows = 1;
        Assert.Equal(TimeSpan.FromSeconds(45), original.Protocols.Protocol.ParkedTlsHold);
        Assert.Equal(1234, original.Reassembly.MaxFlows);
    }

    private static string Text(PipelineOptions limits) => ConfigYamlWriter.Write(new McpEgressConfig { Limits = limits });

    [Fact]
    public void ConstructingTheDaemonLeavesTheCallersLimitsAlone()
    {
        var config = ConfigLoader.Parse(Yaml, "yaml");
        string before = ConfigYamlWriter.Write(config);
        var limits = config.Limits;
        using var daemon = new WatchDaemon(config, config.Watch, null, TextWriter.Null);
        Assert.Equal(TimeSpan.FromSeconds(5), daemon.Limits.Protocols.Protocol.ParkedTlsHold);
        Assert.Equal(4096, daemon.Limits.Protocols.Protocol.MaxParkedTlsBytes);
        Assert.Equal(1234, daemon.Limits.Reassembly.MaxFlows);
        Assert.Same(limits, config.Limits);
        Assert.Equal(TimeSpan.FromSeconds(45), limits.Protocols.Protocol.ParkedTlsHold); // was overwritten with 5 s
        Assert.Equal(1048576, limits.Protocols.Protocol.MaxParkedTlsBytes);
        Assert.Equal(before, ConfigYamlWriter.Write(config));
    }

    [SkippableFact]
    public void StartingAndReloadingLeaveTheCallersConfigsAlone()
    {
        var config = ConfigLoader.Parse(Yaml, "yaml");
        var reloaded = ConfigLoader.Parse(Yaml.Replace("key_hold_seconds: 5", "key_hold_seconds: 7"), "yaml");
        string before = ConfigYamlWriter.Write(config), reloadedBefore = ConfigYamlWriter.Write(reloaded);
        var options = config.Watch.Clone();
        options.Output = Path.Combine(_tmp, "events.ndjson");
        using var daemon = new WatchDaemon(config, options, () => reloaded, TextWriter.Null);
        try { daemon.Start(); }
        catch (WatchStartupException e) when (e.Failure == WatchStartupFailure.Capture)
        {
            throw new SkipException("cannot capture on lo here (needs root or CAP_NET_RAW): " + e.Message);
        }
        var run = new Thread(() => daemon.Run());
        run.Start();
        daemon.RequestReload();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (daemon.Reloads.Success == 0 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        daemon.RequestStop();
        Assert.True(run.Join(TimeSpan.FromSeconds(30)), "the daemon did not stop");
        Assert.Equal((1L, 0L), daemon.Reloads);
        Assert.Same(reloaded, daemon.Config);
        Assert.Equal(before, ConfigYamlWriter.Write(config));
        Assert.Equal(reloadedBefore, ConfigYamlWriter.Write(reloaded));
        Assert.Equal(TimeSpan.FromSeconds(5), daemon.Pipeline.Options.Protocols.Protocol.ParkedTlsHold); // limits apply at restart
    }
}
