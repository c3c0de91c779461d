namespace McpEgress.Tests.Grafana;

/// <summary>
/// The dashboards against Grafana's own dashboard schema: grafana/tools/check-dashboards.mjs type-checks each JSON
/// with the TypeScript compiler against the types @grafana/schema generates from Grafana's CUE schema (dashboard and
/// panel-plugin options). Installs grafana/tools' pinned npm packages (npm ci) when they are missing.
/// </summary>
public class DashboardSchemaTests
{
    private static readonly string Tools = GrafanaFiles.Grafana("tools");

    private static void EnsureInstalled()
    {
        if (File.Exists(Path.Combine(Tools, "node_modules", "typescript", "lib", "tsc.js")) &&
            Directory.Exists(Path.Combine(Tools, "node_modules", "@grafana", "schema")))
            return;
        var r = ExternalTool.Run("npm", "node 20 and npm; the npm registry must be reachable once", Tools, TimeSpan.FromMinutes(5),
            "ci", "--no-audit", "--no-fund", "--silent");
        Assert.True(r.ExitCode == 0, "npm ci in grafana/tools failed (run it by hand, online): " + r.Output);
    }

    [Fact]
    public void DashboardsMatchGrafanaSchema()
    {
        EnsureInstalled();
        var r = ExternalTool.Run("node", "node 20", Tools, TimeSpan.FromMinutes(3), "check-dashboards.mjs");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("dashboard schema check passed: mcp-egress-host.json, mcp-egress-overview.json", r.Stdout);
    }

    [Fact]
    public void TheSchemaCheckRejectsABrokenDashboard()
    {
        EnsureInstalled();
        var bad = Path.Combine(Path.GetTempPath(), $"mcp-egress-bad-{Guid.NewGuid():N}.json");
        try
        {
            // A panel whose gridPos lacks the required width and whose legend option is misspelt.
            var json = File.ReadAllText(GrafanaFiles.Grafana("dashboards", "mcp-egress-host.json"))
                .Replace("\"showLegend\": true", "\"showLegnd\": true")
                .Replace("\"schemaVersion\": 39", "\"schemaVersion\": \"39\"");
            File.WriteAllText(bad, json);
            var r = ExternalTool.Run("node", "node 20", Tools, TimeSpan.FromMinutes(3), "check-dashboards.mjs", bad);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("showLegnd", r.Output);
            Assert.Contains("not assignable to type 'number'", r.Output);
        }
        finally { File.Delete(bad); }
    }
}
