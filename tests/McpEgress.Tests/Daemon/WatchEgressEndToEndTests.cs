using System.Text.Json;
using McpEgress.Native;
using McpEgress.Tests.Cli;
using McpEgress.Tests.Golden;
using McpEgress.Tests.Inventory;

namespace McpEgress.Tests.Daemon;

/// <summary>
/// Per-server egress end to end, on loopback and without TLS keys: a Claude Desktop config names the postmark MCP server
/// (captures/api/mcp/evil-postmark-mcp.js); a real MCP client (the SDK's StdioClientTransport) starts it and calls its
/// sendEmail tool, which posts over HTTPS to the local stand-in for api.postmarkapp.com. A <c>watch</c> on lo with its
/// inventory on that home names the flow's process as the postmark server and writes one
/// <c>mcp-server-new-destination</c> event (SNI api.postmarkapp.com, the stand-in's address, 443); <c>inventory
/// --state</c> then lists the destination with its connections and bytes. A second daemon over the same state file sees
/// the same call again and writes no new-destination event. Needs root (capture, port 443) and node.
/// </summary>
[Collection("live daemon")]
public sealed class WatchEgressEndToEndTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mcp-egress-egress-e2e-");

    public void Dispose()
    {
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }

    [SkippableFact]
    public async Task AnMcpServersNewDestinationIsOneEvent_InTheStateAndNotNewAfterARestart()
    {
        Skip.IfNot(LibC.EffectiveUid == 0, "needs root: capture on lo and the stand-in on port 443");
        Skip.If(InstrumentEndToEndTests.FindOnPath("node") is null, "needs node");
        string api = Path.Combine(RepoPaths.Captures, "api");
        Skip.IfNot(Directory.Exists(Path.Combine(api, "node_modules", "@modelcontextprotocol")), "captures/api/node_modules missing (npm ci there)");
        string dir = _dir.FullName;
        string addr = $"127.20.14.{Random.Shared.Next(2, 250)}";
        string home = Path.Combine(dir, "home");
        string clientConfig = Path.Combine(home, ".config", "Claude", "claude_desktop_config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(clientConfig)!);
        string Js(string s) => JsonSerializer.Serialize(s);
        File.WriteAllText(clientConfig, $$"""
            {
              "mcpServers": {
                "postmark": {
                  "command": "node",
                  "args": [{{Js(Path.Combine(api, "mcp", "evil-postmark-mcp.js"))}}],
                  "env": {
                    "NODE_OPTIONS": {{Js("--require " + Path.Combine(api, "dns-override.js"))}},
                    "NODE_EXTRA_CA_CERTS": {{Js(Path.Combine(api, "pki", "ca.crt"))}},
                    "STANDIN_ADDR": "{{addr}}",
                    "POSTMARK_SERVER_TOKEN": "pm-srv-egress-test",
                    "DEFAULT_SENDER_EMAIL": "assistant@corp.example"
                  }
                }
              }
            }
            """);
        string state = Path.Combine(dir, "state.db");
        string daemonConfig = Path.Combine(dir, "c.yaml");
        File.WriteAllText(daemonConfig, $"""
            watch:
              key_hold_seconds: 1
            inventory:
              homes: [{home}]
              processes: false
            """);
        File.WriteAllText(Path.Combine(dir, "agent.js"), InstrumentEndToEndTests.ClientJs);
        using var standin = ChildProcess.Start("node", api, ["standin.js", "--port", "443", "--log", Path.Combine(dir, "requests.ndjson")],
            new Dictionary<string, string> { ["STANDIN_ADDR"] = addr });
        standin.WaitLine("READY", Step);

        // Run 1: the first call to api.postmarkapp.com is a new destination.
        string events1 = Path.Combine(dir, "events1.ndjson");
        using (var daemon = StartDaemon(addr, events1, state, daemonConfig))
        {
            await daemon.WaitHealthyAsync();
            await WaitForEventAsync(events1, daemon, e => EventsFile.Action(e) == "mcp-server-appeared"); // the inventory names the server from now on
            RunAgent(dir, clientConfig, api);
            var e = await WaitForEventAsync(events1, daemon, e => EventsFile.Action(e) == "mcp-server-new-destination");
            Assert.Equal("mcp_egress.egress", e.GetProperty("event").GetProperty("dataset").GetString());
            var server = e.GetProperty("mcp_egress").GetProperty("mcp_server");
            Assert.Equal(("postmark", "claude-desktop"), (server.GetProperty("name").GetString(), server.GetProperty("client").GetString()));
            var dest = e.GetProperty("destination");
            Assert.Equal(("api.postmarkapp.com", addr, 443), (dest.GetProperty("domain").GetString(), dest.GetProperty("ip").GetString(), dest.GetProperty("port").GetInt32()));
            Assert.Equal(1, e.GetProperty("mcp_egress").GetProperty("egress").GetProperty("destinations").GetInt32());
            Assert.Equal("node", e.GetProperty("process").GetProperty("name").GetString());
            Assert.Contains("api.postmarkapp.com", e.GetProperty("message").GetString());
            await daemon.WaitForSampleAsync("mcp_egress_mcp_server_destinations{client=\"claude-desktop\",server=\"postmark\"}", 1, Step);
            daemon.Signal(DaemonProcess.SigTerm);
            Assert.Equal(0, daemon.WaitForExit(Step));
        }

        var listed = CliRunner.Run("inventory", "--home", home, "--no-processes", "--json", "--state", state, "--since", "1h");
        Assert.True(listed.ExitCode == 0, listed.Stdout + listed.Stderr);
        var entry = Assert.Single(JsonDocument.Parse(listed.Stdout).RootElement.EnumerateArray()).GetProperty("mcp_egress").GetProperty("mcp_server");
        Assert.Equal("postmark", entry.GetProperty("name").GetString());
        var row = Assert.Single(entry.GetProperty("destinations").EnumerateArray());
        Assert.Equal(("api.postmarkapp.com", addr, 443), (row.GetProperty("domain").GetString(), row.GetProperty("ip").GetString(), row.GetProperty("port").GetInt32()));
        Assert.True(row.GetProperty("connections").GetInt64() >= 1);
        Assert.True(row.GetProperty("bytes_out").GetInt64() > 500 && row.GetProperty("bytes_in").GetInt64() > 500, row.ToString()); // a TLS handshake and a request each way
        long connections = row.GetProperty("connections").GetInt64();

        // Run 2 over the same state: the same call again is no new destination, and the row grows.
        string events2 = Path.Combine(dir, "events2.ndjson");
        using (var daemon = StartDaemon(addr, events2, state, daemonConfig))
        {
            await daemon.WaitHealthyAsync();
            // The state remembers the server (no appeared event this time): its info series says the first refresh is done.
            await daemon.WaitForSumAsync("mcp_egress_mcp_server_info{client=\"claude-desktop\",server=\"postmark\"", 1, Step);
            RunAgent(dir, clientConfig, api);
            await daemon.WaitForSumAsync("mcp_egress_tls_sessions_total{", 1, Step); // the call's flow has ended and was seen
            daemon.Signal(DaemonProcess.SigTerm);
            Assert.Equal(0, daemon.WaitForExit(Step));
            Assert.DoesNotContain("mcp-server-new-destination", File.ReadAllText(events2));
        }
        var again = CliRunner.Run("inventory", "--home", home, "--no-processes", "--json", "--state", state);
        var row2 = Assert.Single(Assert.Single(JsonDocument.Parse(again.Stdout).RootElement.EnumerateArray())
            .GetProperty("mcp_egress").GetProperty("mcp_server").GetProperty("destinations").EnumerateArray());
        Assert.True(row2.GetProperty("connections").GetInt64() > connections, row2.ToString());
    }

    private static DaemonProcess StartDaemon(string addr, string events, string state, string config) =>
        DaemonProcess.Start(DaemonProcess.FreePort(), "--interface", "lo", "--filter", $"host {addr} and tcp port 443",
            "--output", events, "--state", state, "--config", config);

    private static void RunAgent(string dir, string clientConfig, string api)
    {
        using var agent = ChildProcess.Start("node", dir, ["agent.js", clientConfig],
            new Dictionary<string, string> { ["NODE_PATH"] = Path.Combine(api, "node_modules") });
        agent.WaitLine("sent ", Step);
        Assert.True(agent.WaitForExit(Step) == 0, agent.Output);
    }

    private static Task<JsonElement> WaitForEventAsync(string events, DaemonProcess daemon, Func<JsonElement, bool> match) =>
        EventsFile.WaitForEventAsync(events, daemon, match, Step);
}
