using System.Text.Json;
using McpEgress.Daemon;
using McpEgress.KeyLogs;
using McpEgress.Native;
using McpEgress.Tests.Cli;
using McpEgress.Tests.Daemon;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Inventory;

/// <summary>
/// The key test, on loopback: a Claude Desktop config names the malicious postmark MCP server
/// (captures/api/mcp/evil-postmark-mcp.js); <c>inventory --instrument --apply</c> wires key logging into it; a real MCP
/// client (the SDK's StdioClientTransport) starts the server from that config with the env it now has, and calls its
/// sendEmail tool, which posts to api.postmarkapp.com (the local stand-in, captures/api/standin.js, through the test CA
/// and dns-override.js); a <c>watch</c> on lo following the key-log folder <c>--instrument</c> wrote into decrypts the
/// HTTPS call and reports the message with its hidden Bcc. Needs root (capture, port 443) and node.
/// </summary>
[Collection("live daemon")]
public sealed class InstrumentEndToEndTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mcp-egress-instrument-");

    public void Dispose()
    {
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }

    // The agent: reads the server's entry from the client config and starts it as Claude Desktop would (command, args, env).
    internal const string ClientJs = """
        const fs = require('fs');
        const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
        const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
        (async () => {
          const entry = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')).mcpServers.postmark;
          const transport = new StdioClientTransport({ command: entry.command, args: entry.args, env: { PATH: process.env.PATH, ...entry.env }, stderr: 'inherit' });
          const client = new Client({ name: 'agent', version: '1.0.0' });
          await client.connect(transport);
          const r = await client.callTool({ name: 'sendEmail', arguments: { to: 'ceo@corp.example', subject: 'Daily summary', textBody: 'Three meetings today.' } });
          if (r.isError) throw new Error(JSON.stringify(r.content));
          console.log('sent ' + r.content[0].text.split('\n')[0]);
          await new Promise((ok) => setTimeout(ok, 1500)); // keep the server (and its keep-alive connection) up while the SYN is attributed
          await client.close();
        })().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
        """;

    [SkippableFact]
    public async Task AppliedConfig_MakesTheServerWriteKeyLogs_WatchDecryptsTheHiddenBcc()
    {
        Skip.IfNot(LibC.EffectiveUid == 0, "needs root: capture on lo and the stand-in on port 443");
        Skip.If(FindOnPath("node") is null, "needs node");
        string api = Path.Combine(RepoPaths.Captures, "api");
        Skip.IfNot(Directory.Exists(Path.Combine(api, "node_modules", "@modelcontextprotocol")), "captures/api/node_modules missing (npm ci there)");
        string dir = _dir.FullName;
        string addr = $"127.20.13.{Random.Shared.Next(2, 250)}"; // our own loopback address: no clash with other tests' stand-ins
        string keys = Directory.CreateDirectory(Path.Combine(dir, "keys")).FullName;
        string home = Path.Combine(dir, "home");
        string config = Path.Combine(home, ".config", "Claude", "claude_desktop_config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        string Js(string s) => JsonSerializer.Serialize(s);
        File.WriteAllText(config, $$"""
            {
              "mcpServers": {
                "postmark": {
                  "command": "node",
                  "args": [{{Js(Path.Combine(api, "mcp", "evil-postmark-mcp.js"))}}],
                  "env": {
                    "NODE_OPTIONS": {{Js("--require " + Path.Combine(api, "dns-override.js"))}},
                    "NODE_EXTRA_CA_CERTS": {{Js(Path.Combine(api, "pki", "ca.crt"))}},
                    "STANDIN_ADDR": "{{addr}}",
                    "POSTMARK_SERVER_TOKEN": "pm-srv-instrument-test",
                    "DEFAULT_SENDER_EMAIL": "assistant@corp.example"
                  }
                }
              }
            }
            """);

        // --instrument --apply, into the folder watch will follow.
        var applied = CliRunner.Run("inventory", "--home", home, "--instrument", "--apply", "--keylog-dir", keys,
            "--preload", WatchEndToEndTests.FindPreload());
        Assert.True(applied.ExitCode == 0, applied.Stdout + applied.Stderr);
        Assert.Contains("# wrote " + config, applied.Stdout);
        // Watch follows the same folder --instrument writes into by default.
        Assert.Equal([KeyLogDefaults.Glob], new WatchOptions().KeyLogs);
        Assert.Equal(KeyLogDefaults.Directory + "/*.keys", KeyLogDefaults.Glob);

        string events = Path.Combine(dir, "events.ndjson");
        string daemonConfig = Path.Combine(dir, "c.yaml");
        File.WriteAllText(daemonConfig, "detection:\n  denied_domains: [giftshop.club]\n");
        int metricsPort = DaemonProcess.FreePort();
        using var daemon = DaemonProcess.Start(metricsPort, "--interface", "lo", "--filter", $"host {addr} and tcp port 443",
            "--output", events, "--keylog", Path.Combine(keys, "*.keys"), "--config", daemonConfig);
        await daemon.WaitHealthyAsync();

        using var standin = ChildProcess.Start("node", api, ["standin.js", "--port", "443", "--keylog", Path.Combine(dir, "server-side.keys"),
            "--log", Path.Combine(dir, "requests.ndjson")], new Dictionary<string, string> { ["STANDIN_ADDR"] = addr });
        standin.WaitLine("READY", Step);

        File.WriteAllText(Path.Combine(dir, "agent.js"), ClientJs);
        using (var agent = ChildProcess.Start("node", dir, ["agent.js", config],
            new Dictionary<string, string> { ["NODE_PATH"] = Path.Combine(api, "node_modules") }))
        {
            agent.WaitLine("sent ", Step);
            Assert.True(agent.WaitForExit(Step) == 0, agent.Output);
        }

        // The server wrote its key log where --instrument said, and only there (the server-side file is not followed).
        var keyLog = Assert.Single(Directory.GetFiles(keys));
        Assert.EndsWith("-claude-desktop-postmark.keys", keyLog);
        Assert.Contains("CLIENT_TRAFFIC_SECRET_0 ", File.ReadAllText(keyLog));

        var scrape = await daemon.WaitForSampleAsync("mcp_egress_messages_total{transport=\"http\",provider=\"postmark\"}", 1, Step);
        // mcp_server/instrumented depend on whether the daemon's inventory saw the server: any value counts here.
        await daemon.WaitForSumAsync("mcp_egress_tls_sessions_total{decrypted=\"true\",destination=\"postmark\",", 1, Step);
        JsonElement message = default;
        for (int i = 0; i < 50 && message.ValueKind == JsonValueKind.Undefined; i++)
        {
            if (File.Exists(events))
                foreach (var line in File.ReadAllLines(events).Where(l => l.Contains("\"postmark\"") && l.Contains("giftshop")))
                    message = JsonDocument.Parse(line).RootElement.Clone();
            if (message.ValueKind == JsonValueKind.Undefined) await Task.Delay(200);
        }
        Assert.True(message.ValueKind == JsonValueKind.Object, "no decrypted Postmark message in the events:\n" + (File.Exists(events) ? File.ReadAllText(events) : "") + daemon.Stderr);
        var bcc = message.GetProperty("email").GetProperty("bcc").GetProperty("address").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("phan@giftshop.club", bcc);
        Assert.Contains("ceo@corp.example", message.GetProperty("email").GetProperty("to").GetProperty("address").EnumerateArray().Select(e => e.GetString()));
    }

    internal static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
