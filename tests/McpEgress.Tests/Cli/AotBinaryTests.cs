using System.Text.Json;
using McpEgress.Tests.Daemon;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Cli;

/// <summary>
/// The shipped binary is Native AOT (no JIT, no runtime code generation, trimmed): what reflection or dynamic code
/// would break there can't show in the JIT build every other test runs. These run the published binary
/// (<c>MCP_EGRESS_AOT_CLI</c>, set by tests/run-all.sh after <c>dotnet publish</c>) beside the JIT build: every golden
/// capture replayed to byte-identical events and summary, the config parts that read options by reflection and TOML
/// through Tomlyn's generated context, and the live daemon on loopback (libpcap, SYN tap, Kestrel metrics, events).
/// </summary>
public sealed class AotBinaryTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mcp-egress-aot-");

    public void Dispose()
    {
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }

    /// <summary>The published binary; skips when the variable is unset (a plain <c>dotnet test</c>), fails when it names no file.</summary>
    private static string AotCli()
    {
        string? path = Environment.GetEnvironmentVariable("MCP_EGRESS_AOT_CLI");
        Skip.If(string.IsNullOrEmpty(path), "MCP_EGRESS_AOT_CLI unset: tests/run-all.sh publishes the Native AOT binary and sets it");
        Assert.True(File.Exists(path), "MCP_EGRESS_AOT_CLI names no file (did dotnet publish fail?): " + path);
        return path!;
    }

    [SkippableTheory]
    [MemberData(nameof(GoldenCaptureTests.ExpectedFiles), MemberType = typeof(GoldenCaptureTests))]
    public void GoldenCapture_ReplaysToTheJitBuildsBytes(string expectedFile)
    {
        string aot = AotCli();
        string path = Path.Combine(RepoPaths.Captures, expectedFile);
        var expected = ExpectedCapture.Load(path);
        string dir = Path.GetDirectoryName(path)!;
        // Two workers (the sharded path and its merge), and a config whose limits section is read by reflection.
        var args = new List<string> { "replay", "--no-progress", "--workers", "2", "--config", WriteConfig() };
        if (expected.KeyLog is { } keys) { args.Add("--keylog"); args.Add(Path.Combine(dir, keys)); }
        args.Add(Path.Combine(dir, expected.Capture));
        var (jitEvents, jitOut) = Replay(null, "jit", args);
        var (aotEvents, aotOut) = Replay(aot, "aot", args);

        string[] jit = jitEvents.Split('\n'), native = aotEvents.Split('\n');
        Assert.True(jit.Count(l => l.Contains("\"email\":", StringComparison.Ordinal)) >= expected.Messages.Count,
            $"the JIT replay wrote fewer than the {expected.Messages.Count} expected messages: {jitOut}");
        int first = Enumerable.Range(0, Math.Min(jit.Length, native.Length)).FirstOrDefault(i => jit[i] != native[i], -1);
        Assert.True(first < 0 && jit.Length == native.Length,
            $"AOT events differ from the JIT build's ({native.Length} vs {jit.Length} lines) at line {first + 1}:\nJIT: {jit.ElementAtOrDefault(first)}\nAOT: {native.ElementAtOrDefault(first)}");
        Assert.Equal(Untimed(jitOut), Untimed(aotOut));
    }

    /// <summary>The summary without its one timed part ("in 0.31 s (0.0 MB/s, 113 packets/s, 2 GCs, 1 ms paused)": the JIT allocates too).</summary>
    private static string Untimed(string summary) => System.Text.RegularExpressions.Regex.Replace(summary, @"in [0-9.]+ s \([^)]*\)", "in T");

    private (string Events, string Summary) Replay(string? executable, string name, List<string> args)
    {
        string events = Path.Combine(_dir.FullName, name + ".ndjson");
        var (code, stdout, stderr) = CliRunner.RunWith(executable, null, [.. args, "--output", events]);
        Assert.True(code == 0, $"{name} replay exited {code}: {stderr}");
        return (File.ReadAllText(events), stdout + stderr);
    }

    private string WriteConfig()
    {
        string config = Path.Combine(_dir.FullName, "c.yaml");
        File.WriteAllText(config, """
            detection:
              denied_domains: [giftshop.club]
            limits:
              reassembly:
                max_flows: 50000
                idle_timeout: 5m
              smtp:
                max_line_bytes: 4096
            """);
        return config;
    }

    [SkippableFact]
    public void ConfigCheck_ReadsAndWritesTheLimitsSectionLikeTheJitBuild()
    {
        string aot = AotCli();
        string config = WriteConfig();
        var jit = CliRunner.RunWith(null, null, "config", "check", config);
        var native = CliRunner.RunWith(aot, null, "config", "check", config);
        Assert.True(jit.ExitCode == 0, jit.Stderr);
        Assert.Contains("max_flows: 50000", jit.Stdout);
        Assert.Equal((jit.ExitCode, jit.Stdout), (native.ExitCode, native.Stdout));

        File.WriteAllText(config, "limits:\n  reassembly:\n    max_flowz: 1\n");
        var bad = CliRunner.RunWith(aot, null, "config", "check", config);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("limits.reassembly.max_flowz", bad.Stdout + bad.Stderr);
    }

    [SkippableFact]
    public void Inventory_ReadsACodexTomlConfig()
    {
        string aot = AotCli();
        string home = Directory.CreateDirectory(Path.Combine(_dir.FullName, "home")).FullName;
        Directory.CreateDirectory(Path.Combine(home, ".codex"));
        File.WriteAllText(Path.Combine(home, ".codex", "config.toml"), """
            [mcp_servers.mail]
            command = "npx"
            args = ["-y", "postmark-mcp@1.0.16"]
            env = { POSTMARK_SERVER_TOKEN = "x" }
            """);
        var jit = CliRunner.RunWith(null, null, "inventory", "--home", home, "--json", "--no-processes");
        var native = CliRunner.RunWith(aot, null, "inventory", "--home", home, "--json", "--no-processes");
        Assert.True(native.ExitCode == jit.ExitCode, native.Stderr);
        using var doc = JsonDocument.Parse(native.Stdout);
        var server = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal("mail", server.GetProperty("mcp_egress").GetProperty("mcp_server").GetProperty("name").GetString());
        Assert.Contains("postmark-mcp", server.ToString());
        Assert.Equal(jit.Stdout, native.Stdout);
    }

    [SkippableFact]
    public async Task Watch_OnLoopback_SeesSmtpServesMetricsAndStopsCleanly()
    {
        string aot = AotCli();
        Skip.IfNot(Environment.UserName == "root", "live capture on lo needs root");
        string dir = _dir.FullName;
        int smtpPort = DaemonProcess.FreePort(), metricsPort = DaemonProcess.FreePort();
        string events = Path.Combine(dir, "events.ndjson");
        string config = WriteConfig();
        using var daemon = DaemonProcess.StartWith(aot, metricsPort, null, "--interface", "lo", "--filter", $"tcp port {smtpPort}",
            "--output", events, "--config", config);
        await daemon.WaitHealthyAsync();

        File.WriteAllText(Path.Combine(dir, "sink.py"), WatchEndToEndTests.SmtpSinkPy);
        using var sink = ChildProcess.Start("python3", dir, ["sink.py", smtpPort.ToString()]);
        sink.WaitLine("ready", TimeSpan.FromSeconds(30));
        File.WriteAllText(Path.Combine(dir, "send.py"), """
            import smtplib, sys
            m = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
            m.sendmail('agent@corp.example', ['customer@client.example', 'phan@giftshop.club'],
                       'From: agent@corp.example\r\nTo: customer@client.example\r\nSubject: Invoice 7\r\n\r\nHello\r\n')
            m.quit()
            """);
        using (var send = ChildProcess.Start("python3", dir, ["send.py", smtpPort.ToString()]))
            Assert.True(send.WaitForExit(TimeSpan.FromSeconds(30)) == 0, send.Output);

        var scrape = await daemon.WaitForSampleAsync("mcp_egress_messages_total{transport=\"smtp\",provider=\"none\"}", 1, TimeSpan.FromSeconds(30));
        double deniedAlerts = scrape.Split('\n').Where(l => l.StartsWith("mcp_egress_alerts_total{rule=\"denied-domain\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(deniedAlerts >= 1, scrape);
        Assert.Equal(200, await daemon.HealthStatusAsync());
        daemon.Signal(DaemonProcess.SigTerm);
        Assert.True(daemon.Process.WaitForExit(30_000), "the AOT daemon did not stop on SIGTERM:\n" + daemon.Stderr);
        Assert.True(daemon.Process.ExitCode == 0, daemon.Stderr);

        var message = File.ReadAllLines(events).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(d => WatchEndToEndTests.Kind(d) == "event" && WatchEndToEndTests.Str(d, "network", "protocol") == "smtp");
        Assert.Contains("phan@giftshop.club", message.GetProperty("email").GetProperty("bcc").ToString());
        Assert.Equal("Invoice 7", message.GetProperty("email").GetProperty("subject").GetString());
    }
}
