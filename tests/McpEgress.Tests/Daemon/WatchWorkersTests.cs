using System.Text.Json;
using McpEgress.Tests.Prometheus;
using Xunit.Abstractions;

namespace McpEgress.Tests.Daemon;

/// <summary>
/// The live daemon with two packet workers on loopback: SMTP sessions from a real client (swaks), several at once,
/// to a sink in the test; every message is reported once with its envelope-only recipient and alert, and both
/// workers owned flows.
/// </summary>
[Collection("live daemon")]
public sealed class WatchWorkersTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mcp-egress-workers-");

    public void Dispose()
    {
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task TwoWorkers_EveryMessageOnce_WithItsHiddenRecipient()
    {
        ExternalTool.Require("swaks");
        const int messages = 16;
        string dir = _dir.FullName;
        int smtpPort = DaemonProcess.FreePort();
        string events = Path.Combine(dir, "events.ndjson");
        string config = Path.Combine(dir, "c.yaml");
        File.WriteAllText(config, "detection:\n  denied_domains: [giftshop.club]\n");
        using var daemon = DaemonProcess.Start(DaemonProcess.FreePort(), "--interface", "lo", "--filter", $"tcp port {smtpPort}",
            "--output", events, "--config", config, "--workers", "2");
        await daemon.WaitHealthyAsync();
        File.WriteAllText(Path.Combine(dir, "sink.py"), WatchEndToEndTests.SmtpSinkPy);
        using var sink = ChildProcess.Start("python3", dir, ["sink.py", smtpPort.ToString()]);
        sink.WaitLine("ready", Step);

        // Four clients at a time: flows overlap, and the hash spreads their source ports over both workers.
        for (int batch = 0; batch < messages; batch += 4)
        {
            var clients = Enumerable.Range(batch, 4).Select(i => ChildProcess.Start("swaks", dir, ["--server", $"127.0.0.1:{smtpPort}",
                "--from", "agent@corp.example", "--to", $"customer{i}@client.example,hidden{i}@giftshop.club",
                "--header", $"To: customer{i}@client.example", "--header", $"Subject: Order {i}"])).ToList();
            foreach (var c in clients)
                using (c) Assert.True(c.WaitForExit(Step) == 0, c.Output);
        }
        await daemon.WaitForSumAsync("mcp_egress_messages_total", messages, Step);
        // Per-worker packets: both workers have some (the metrics loop exports them about once a second).
        var scrape = await daemon.WaitForSampleAsync("mcp_egress_worker_packets_total{worker=\"1\"}", 1, Step);
        Assert.True(DaemonProcess.Sample(scrape, "mcp_egress_worker_packets_total{worker=\"0\"}") > 0, scrape);
        daemon.Signal(DaemonProcess.SigTerm);
        Assert.Equal(0, daemon.WaitForExit(Step));
        output.WriteLine(daemon.Stderr);

        var found = new Dictionary<string, string>();
        int alerts = 0;
        foreach (var line in File.ReadLines(events))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            string kind = root.GetProperty("event").GetProperty("kind").GetString()!;
            if (kind == "alert") { alerts++; continue; }
            if (!root.TryGetProperty("email", out var email)) continue;
            string subject = email.GetProperty("subject").GetString()!;
            Assert.True(found.TryAdd(subject, email.GetProperty("bcc").GetProperty("address")[0].GetString()!), $"{subject} reported twice");
        }
        for (int i = 0; i < messages; i++) Assert.Equal($"hidden{i}@giftshop.club", found[$"Order {i}"]);
        Assert.Equal(messages, found.Count);
        Assert.True(alerts >= messages, $"{alerts} alerts for {messages} messages with a denied hidden recipient");
        // Both workers owned flows: "2 workers owned A/B packets", A and B > 0.
        var owned = System.Text.RegularExpressions.Regex.Match(daemon.Stderr, @"2 workers owned (\d+)/(\d+) packets");
        Assert.True(owned.Success, daemon.Stderr);
        Assert.True(long.Parse(owned.Groups[1].Value) > 0 && long.Parse(owned.Groups[2].Value) > 0, owned.Value);
    }
}
