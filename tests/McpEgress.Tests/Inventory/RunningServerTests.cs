using System.Text.Json;
using McpEgress.Attribution;
using McpEgress.Inventory;
using McpEgress.Tests.Cli;
using McpEgress.Tests.Fixtures;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Inventory;

/// <summary>
/// A real MCP server on @modelcontextprotocol/sdk (the postmark-mcp 1.0.16 re-creation, packaged as postmark-mcp
/// 1.0.16) started over stdio by a real MCP client (the SDK's StdioClientTransport): found running with its
/// package@version, its client (the parent process) and the built-in advisory, merged with the configured entry it
/// was started from; gone once the client stops it.
/// </summary>
public sealed class RunningServerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mcp-egress-running-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private const string ClientJs = """
        'use strict';
        const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
        const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
        (async () => {
          const transport = new StdioClientTransport({
            command: process.execPath, args: [process.argv[2]],
            env: { PATH: process.env.PATH, POSTMARK_SERVER_TOKEN: 'pm-test-token-never-printed' }, stderr: 'inherit',
          });
          const client = new Client({ name: 'test-agent', version: '0.0.1' });
          await client.connect(transport);
          const tools = await client.listTools();
          console.log('ready ' + transport.pid + ' ' + tools.tools.map((t) => t.name).join(','));
          process.stdin.on('end', async () => { await client.close(); console.log('closed'); process.exit(0); });
          process.stdin.resume();
        })().catch((e) => { console.error(e); process.exit(1); });
        """;

    [SkippableFact]
    public void RealServerStartedByRealClient_IsFoundRunning_WithPackageClientAndAdvisory()
    {
        var nodeModules = Path.Combine(RepoPaths.Captures, "api", "node_modules");
        Skip.IfNot(Directory.Exists(Path.Combine(nodeModules, "@modelcontextprotocol", "sdk")), "captures/api/node_modules not installed (npm ci in captures/api)");

        // The server package: postmark-mcp 1.0.16, depending on the SDK.
        var pkg = Path.Combine(_root, "postmark-mcp");
        Directory.CreateDirectory(pkg);
        File.WriteAllText(Path.Combine(pkg, "package.json"),
            """{ "name": "postmark-mcp", "version": "1.0.16", "main": "index.js", "dependencies": { "@modelcontextprotocol/sdk": "1.32.2", "postmark": "5.1.0", "zod": "4.6.7" } }""");
        File.Copy(Path.Combine(RepoPaths.Captures, "api", "mcp", "evil-postmark-mcp.js"), Path.Combine(pkg, "index.js"));
        File.CreateSymbolicLink(Path.Combine(pkg, "node_modules"), nodeModules);
        // The client: an agent package of its own.
        var agent = Path.Combine(_root, "agent");
        Directory.CreateDirectory(agent);
        File.WriteAllText(Path.Combine(agent, "package.json"), """{ "name": "test-agent", "version": "0.0.1" }""");
        File.WriteAllText(Path.Combine(agent, "client.js"), ClientJs);
        File.CreateSymbolicLink(Path.Combine(agent, "node_modules"), nodeModules);
        // A home whose Claude Desktop config runs that server.
        var home = Path.Combine(_root, "home");
        var config = Path.Combine(home, ".config", "Claude", "claude_desktop_config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            mcpServers = new { postmark = new { command = "node", args = new[] { Path.Combine(pkg, "index.js") }, env = new { POSTMARK_SERVER_TOKEN = "x" } } },
        }));

        int serverPid;
        using (var client = NodeProcess.Start(agent, ["client.js", Path.Combine(pkg, "index.js")]))
        {
            var ready = client.ReadLine().Split(' ');
            Assert.Equal("ready", ready[0]);
            Assert.Equal("sendEmail", ready[2]);
            serverPid = int.Parse(ready[1]);

            // In process: the library the daemon will use.
            var result = new McpInventory(new InventoryOptions { Homes = [home] }).Scan();
            Assert.Empty(result.Problems);
            var record = Assert.Single(result.Servers, s => s.Running.Any(p => p.Pid == serverPid));
            Assert.True(record.IsConfigured); // merged with the Claude Desktop entry it was started from
            Assert.Equal("postmark", record.Name);
            Assert.Equal(new SenderIdentity(SenderKind.Npm, "postmark-mcp", "1.0.16"), record.Package);
            var running = record.Running.Single(p => p.Pid == serverPid);
            Assert.Equal(client.Process.Id, running.ClientPid);
            Assert.Equal(new SenderIdentity(SenderKind.Npm, "test-agent", "0.0.1"), running.ClientIdentity);
            Assert.Equal("configured", running.Reason);
            Assert.NotNull(running.StartedAt);
            Assert.InRange(running.StartedAt!.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
            Assert.Equal("MAL-2025-47604", Assert.Single(record.Advisories).Id);
            // The client (it uses the SDK too) is not taken for a server.
            Assert.DoesNotContain(result.Servers, s => s.Running.Any(p => p.Pid == client.Process.Id));

            // Without the config: still found, from its package's dependency on the SDK.
            var bare = new McpInventory(new InventoryOptions { Homes = [Path.Combine(_root, "agent")] }).Scan();
            var found = Assert.Single(bare.Servers, s => s.Running.Any(p => p.Pid == serverPid));
            Assert.False(found.IsConfigured);
            Assert.Equal("test-agent", found.Client);
            Assert.Equal("mcp-sdk", found.Running.Single().Reason);
            Assert.Equal("postmark-mcp@1.0.16", found.Package!.ToString());
            Assert.Equal("MAL-2025-47604", Assert.Single(found.Advisories).Id);

            // Through the CLI, as JSON.
            var (code, stdout, stderr) = CliRunner.Run("inventory", "--home", home, "--json");
            Assert.True(code == 0, stderr);
            Assert.DoesNotContain("pm-test-token-never-printed", stdout);
            using var doc = JsonDocument.Parse(stdout);
            var server = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("mcp_egress").GetProperty("mcp_server").TryGetProperty("running", out var r)
                && r.EnumerateArray().Any(p => p.GetProperty("process").GetProperty("pid").GetInt32() == serverPid));
            var mcp = server.GetProperty("mcp_egress").GetProperty("mcp_server");
            Assert.Equal(["configured", "running"], mcp.GetProperty("state").EnumerateArray().Select(x => x.GetString()!));
            var proc = mcp.GetProperty("running")[0];
            Assert.Equal(client.Process.Id, proc.GetProperty("process").GetProperty("parent").GetProperty("pid").GetInt32());
            Assert.Equal("test-agent@0.0.1", proc.GetProperty("process").GetProperty("parent").GetProperty("name").GetString());
            Assert.Equal("1.0.16", proc.GetProperty("package").GetProperty("version").GetString());
            Assert.True(proc.GetProperty("process").GetProperty("uptime").GetInt64() >= 0);
            Assert.Equal("MAL-2025-47604", server.GetProperty("vulnerability").GetProperty("id")[0].GetString());

            // The client stops the server.
            client.Process.StandardInput.Close();
            Assert.Equal("closed", client.ReadLine());
            Assert.True(client.Process.WaitForExit(10_000));
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (File.Exists($"/proc/{serverPid}/cmdline") && DateTime.UtcNow < deadline) Thread.Sleep(50);
        var after = new McpInventory(new InventoryOptions { Homes = [home] }).Scan();
        Assert.DoesNotContain(after.Servers, s => s.Running.Any(p => p.Pid == serverPid));
        Assert.False(Assert.Single(after.Servers).IsRunning); // still configured, no longer running
    }
}
