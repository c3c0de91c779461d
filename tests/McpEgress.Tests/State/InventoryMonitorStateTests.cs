using McpEgress.Config;
using McpEgress.Daemon;
using McpEgress.Detection;
using McpEgress.Export;
using McpEgress.Export.Prometheus;
using McpEgress.State;
using Microsoft.Data.Sqlite;

namespace McpEgress.Tests.State;

/// <summary>The daemon's inventory monitor over a state file: a restart reports what changed while it was down, not every server again.</summary>
public sealed class InventoryMonitorStateTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("mcp-egress-inventory-state").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_tmp, recursive: true);
    }

    private string Home => Path.Combine(_tmp, "home", "alice");

    private void WriteHome(string version)
    {
        string desktop = Path.Combine(Home, ".config", "Claude", "claude_desktop_config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(desktop)!);
        File.WriteAllText(desktop, """{ "mcpServers": { "postmark": { "command": "npx", "args": ["-y", "postmark-mcp"] } } }""");
        string pkg = Path.Combine(Home, ".npm", "_npx", "1a2b3c", "node_modules", "postmark-mcp", "package.json");
        Directory.CreateDirectory(Path.GetDirectoryName(pkg)!);
        File.WriteAllText(pkg, $$"""{ "name": "postmark-mcp", "version": "{{version}}" }""");
    }

    /// <summary>One daemon run: a monitor over the state file, one refresh; the inventory events it wrote.</summary>
    private string[] Run()
    {
        using var db = StateDatabase.TryOpen(Path.Combine(_tmp, "state.db"), null, _ => { });
        Assert.NotNull(db);
        var events = new MemoryStream();
        using (var writer = new EcsEventWriter(events))
        {
            var engine = new DetectionEngine(McpEgressConfig.Default.Detection);
            using var monitor = new InventoryMonitor(new InventoryWatchOptions { Homes = [Home], ScanProcesses = false }, writer,
                new EgressMetrics(), () => engine, _ => { }) { State = db };
            monitor.Refresh();
        }
        return System.Text.Encoding.UTF8.GetString(events.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.Contains("mcp_egress.inventory", StringComparison.Ordinal))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("event").GetProperty("action").GetString()!).ToArray();
    }

    [Fact]
    public void ARestartReportsOnlyWhatChangedWhileDown()
    {
        WriteHome("1.0.15");
        Assert.Equal(["mcp-server-appeared"], Run());
        Assert.Empty(Run()); // restarted, nothing changed: no second "appeared"
        WriteHome("1.0.16");
        Assert.Equal(["mcp-server-version-changed"], Run());
    }
}
