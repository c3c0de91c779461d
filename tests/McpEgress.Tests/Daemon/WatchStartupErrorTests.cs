using System.Net;
using System.Net.Sockets;
using McpEgress.Tests.Cli;

namespace McpEgress.Tests.Daemon;

/// <summary>Startup failures of <c>mcp-egress watch</c>: one line on stderr saying what and where, and a distinct exit code.</summary>
public sealed class WatchStartupErrorTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mcp-egress-watch-err-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static string[] Watch(params string[] args) =>
        ["watch", "--metrics-listen", $"127.0.0.1:{DaemonProcess.FreePort()}", "--output", "-", .. args];

    [Fact]
    public void UnknownInterface_Exit5()
    {
        var (code, _, err) = CliRunner.Run(Watch("--interface", "nosuchif0"));
        Assert.Equal(5, code);
        Assert.Contains("nosuchif0", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void BadFilter_Exit5_NamesTheFilter()
    {
        var (code, _, err) = CliRunner.Run(Watch("--interface", "lo", "--filter", "tcp port banana"));
        Assert.Equal(5, code);
        Assert.Contains("tcp port banana", err);
    }

    [Fact]
    public void MetricsPortInUse_Exit6()
    {
        var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        try
        {
            int port = ((IPEndPoint)busy.LocalEndpoint).Port;
            var (code, _, err) = CliRunner.Run("watch", "--interface", "lo", "--metrics-listen", $"127.0.0.1:{port}", "--output", "-");
            Assert.Equal(6, code);
            Assert.Contains("already in use", err);
        }
        finally { busy.Stop(); }
    }

    [Fact]
    public void BadMetricsAddress_Exit1() =>
        Assert.Equal(1, CliRunner.Run("watch", "--interface", "lo", "--metrics-listen", "nowhere").ExitCode);

    [Fact]
    public void BadWatchSection_Exit2_WithFileLineAndKey()
    {
        string config = Path.Combine(_dir.FullName, "bad.yaml");
        File.WriteAllText(config, "watch:\n  interfaces: lo\n  queue_packets: 0\n");
        var (code, _, err) = CliRunner.Run(Watch("--config", config));
        Assert.Equal(2, code);
        Assert.Contains($"{config}:3:3: watch.queue_packets: expected a whole number from 1 to", err);
    }

    [Fact]
    public void UnwritableOutput_Exit4()
    {
        var (code, _, err) = CliRunner.Run("watch", "--interface", "lo", "--metrics-listen", $"127.0.0.1:{DaemonProcess.FreePort()}",
            "--output", Path.Combine(_dir.FullName, "no", "such", "dir", "events.ndjson"));
        Assert.Equal(4, code);
        Assert.Contains("does not exist", err);
    }

    [Fact]
    public void LooseKeyLogPermissions_AreWarnedAtStartup()
    {
        string keys = Path.Combine(_dir.FullName, "open.keys");
        File.WriteAllText(keys, "");
        File.SetUnixFileMode(keys, (UnixFileMode)0x1B6); // 0666
        // A bad filter ends the run right after the key logs were checked, so the test needs no signal.
        var (code, _, err) = CliRunner.Run(Watch("--interface", "lo", "--filter", "tcp port banana", "--keylog", keys));
        Assert.Equal(5, code);
        Assert.Contains($"warning: key log {keys} has mode 0666", err);
    }
}
