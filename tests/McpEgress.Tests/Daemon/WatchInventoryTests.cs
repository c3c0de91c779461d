using System.Text.Json;

namespace McpEgress.Tests.Daemon;

/// <summary>
/// The real <c>mcp-egress watch</c> on lo with its MCP server inventory pointed at a fake home: a Claude Desktop config
/// naming <c>npx -y postmark-mcp</c>, resolved through a fake npx cache to 1.0.16 (MAL-2025-47604). The metrics endpoint
/// shows the server's info series and the advisory alert; the events file has the appeared event and the
/// mcp-server-advisory alert. A new version (picked up at SIGHUP) is a version-changed event and a new series; removing
/// the server from the config (picked up by the periodic refresh) removes the series and writes a disappeared event.
/// </summary>
public sealed class WatchInventoryTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mcp-egress-watch-inventory-");

    public void Dispose()
    {
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }

    private string Home => Path.Combine(_dir.FullName, "home", "alice");
    private string Events => Path.Combine(_dir.FullName, "events.ndjson");

    private void WriteHome(string? version, string env)
    {
        string desktop = Path.Combine(Home, ".config", "Claude", "claude_desktop_config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(desktop)!);
        File.WriteAllText(desktop, version is null ? """{ "mcpServers": {} }""" : $$"""
            {
              "mcpServers": {
                "postmark": { "command": "npx", "args": ["-y", "postmark-mcp"], "env": { {{env}} } }
              }
            }
            """);
        if (version is null) return;
        string pkg = Path.Combine(Home, ".npm", "_npx", "1a2b3c", "node_modules", "postmark-mcp", "package.json");
        Directory.CreateDirectory(Path.GetDirectoryName(pkg)!);
        File.WriteAllText(pkg, $$"""{ "name": "postmark-mcp", "version": "{{version}}", "dependencies": { "@modelcontextprotocol/sdk": "^1.0.0" } }""");
    }

    [SkippableFact]
    public async Task InventoryIsExportedAsInfoSeriesEventsAndAdvisoryAlerts()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "live capture on lo");
        WriteHome("1.0.16", "\"POSTMARK_SERVER_TOKEN\": \"pm-secret-token-value\"");
        string config = Path.Combine(_dir.FullName, "config.yaml");
        File.WriteAllText(config, $"""
            watch:
              interfaces: [lo]
              filter: "tcp port 9"
              output: {Events}
              process_attribution: false
            inventory:
              refresh_interval: 3s
              homes: [{Home}]
              processes: false
            """);
        using var daemon = DaemonProcess.Start(DaemonProcess.FreePort(), "--config", config);
        await daemon.WaitHealthyAsync();

        const string Advised = "mcp_egress_mcp_server_info{client=\"claude-desktop\",server=\"postmark\",package=\"postmark-mcp\",version=\"1.0.16\",instrumented=\"false\",advisory=\"MAL-2025-47604\"}";
        string scrape = await daemon.WaitForSampleAsync(Advised, 1, Step);
        Assert.Equal(1, DaemonProcess.Sample(scrape, "mcp_egress_alerts_total{rule=\"mcp-server-advisory\",severity=\"critical\"}"));

        var appeared = await WaitForEventAsync(daemon, e => Action(e) == "mcp-server-appeared");
        var server = appeared.GetProperty("mcp_egress").GetProperty("mcp_server");
        Assert.Equal("mcp_egress.inventory", appeared.GetProperty("event").GetProperty("dataset").GetString());
        Assert.Equal("postmark-mcp", server.GetProperty("package").GetString());
        Assert.Equal("1.0.16", server.GetProperty("version").GetString());
        Assert.Equal("stdio", server.GetProperty("transport").GetString());
        Assert.EndsWith("claude_desktop_config.json", server.GetProperty("config_file").GetString());
        Assert.Equal("MAL-2025-47604", server.GetProperty("advisory_ids")[0].GetString());
        var alert = await WaitForEventAsync(daemon, e => e.TryGetProperty("rule", out var r) && r.GetProperty("id").GetString() == "mcp-server-advisory");
        Assert.Equal("alert", alert.GetProperty("event").GetProperty("kind").GetString());
        Assert.Equal(99, alert.GetProperty("event").GetProperty("severity").GetInt32());
        Assert.Equal("MAL-2025-47604", alert.GetProperty("mcp_egress").GetProperty("alert").GetProperty("advisory").GetString());
        Assert.Contains("postmark-mcp@1.0.16", alert.GetProperty("message").GetString());
        Assert.DoesNotContain("pm-secret-token-value", File.ReadAllText(Events)); // env values never leave the config

        // A new version, now wired for key logs; SIGHUP refreshes at once.
        WriteHome("1.0.15", "\"NODE_OPTIONS\": \"--require /usr/lib/mcp-egress/mcp-egress-keylog.js\", \"MCP_EGRESS_KEYLOG\": \"/run/mcp-egress/keys/postmark.keys\"");
        daemon.Signal(DaemonProcess.SigHup);
        const string Clean = "mcp_egress_mcp_server_info{client=\"claude-desktop\",server=\"postmark\",package=\"postmark-mcp\",version=\"1.0.15\",instrumented=\"true\",advisory=\"\"}";
        scrape = await daemon.WaitForSampleAsync(Clean, 1, Step);
        Assert.Null(DaemonProcess.Sample(scrape, Advised));
        var changed = await WaitForEventAsync(daemon, e => Action(e) == "mcp-server-version-changed");
        Assert.Equal("change", changed.GetProperty("event").GetProperty("type")[0].GetString());
        Assert.Equal("1.0.15", changed.GetProperty("mcp_egress").GetProperty("mcp_server").GetProperty("version").GetString());
        Assert.Equal("1.0.16", changed.GetProperty("mcp_egress").GetProperty("mcp_server").GetProperty("previous_version").GetString());
        Assert.True(changed.GetProperty("mcp_egress").GetProperty("mcp_server").GetProperty("instrumented").GetBoolean());

        // Removed from the config: the periodic refresh drops the series and says so.
        WriteHome(null, "");
        await WaitForEventAsync(daemon, e => Action(e) == "mcp-server-disappeared");
        scrape = await daemon.ScrapeAsync();
        Assert.DoesNotContain("mcp_egress_mcp_server_info{", scrape);
        Assert.Equal(1, DaemonProcess.Sample(scrape, "mcp_egress_alerts_total{rule=\"mcp-server-advisory\",severity=\"critical\"}"));

        daemon.Signal(DaemonProcess.SigTerm);
        Assert.Equal(0, daemon.WaitForExit(Step));
    }

    private static string? Action(JsonElement e) => EventsFile.Action(e);

    private Task<JsonElement> WaitForEventAsync(DaemonProcess daemon, Func<JsonElement, bool> match) =>
        EventsFile.WaitForEventAsync(Events, daemon, match, Step);
}
