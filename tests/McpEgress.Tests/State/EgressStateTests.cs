using System.Text.Json;
using McpEgress.Detection.Egress;
using McpEgress.Inventory;
using McpEgress.State;
using McpEgress.Tests.Cli;
using McpEgress.Tests.Egress;
using Microsoft.Data.Sqlite;

namespace McpEgress.Tests.State;

/// <summary>
/// Per-server egress and advisory matches in the state database: a destination is new once across restarts, rows add
/// up over runs, a version-2 file (before egress) migrates with its rows, advisory first-matched survives later scans,
/// and <c>inventory --state --since</c> prints what a state file holds.
/// </summary>
public sealed class EgressStateTests : IDisposable
{
    private const long Day = 86_400_000_000_000;
    private readonly string _tmp = Directory.CreateTempSubdirectory("mcp-egress-egress").FullName;
    private readonly List<string> _log = [];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_tmp, recursive: true);
    }

    private string File(string name = "state.db") => Path.Combine(_tmp, name);

    private StateDatabase Open()
    {
        var db = StateDatabase.TryOpen(File(), null, line => { lock (_log) _log.Add(line); });
        Assert.NotNull(db);
        return db;
    }

    private static long Now => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>One daemon run over the state file: load, the flows, every write queued, close.</summary>
    private List<NewDestination> Run(params McpEgress.Protocols.Routing.FlowSummaryRecord[] flows)
    {
        using var db = Open();
        var tracker = new EgressTracker();
        tracker.Load(EgressHistory.Load(db, EgressHistory.MaxRows));
        var found = new List<NewDestination>();
        tracker.NewDestinationFound = found.Add;
        tracker.Accounted = row => EgressHistory.Record(db, row);
        foreach (var f in flows) tracker.OnFlowSummary(f);
        return found;
    }

    [Fact]
    public void ANewDestinationIsNotNewAgainAfterARestart_AndTheRowsAddUp()
    {
        long t = Now - Day;
        var pm = EgressTrackerTests.Postmark;
        Assert.Single(Run(EgressTrackerTests.Flow("203.0.113.7", 443, "giftshop.club", pm, t: t)));
        // Run 2: the same destination again, and one new.
        var second = Run(EgressTrackerTests.Flow("203.0.113.7", 443, "giftshop.club", pm, t: t + 1000, bytesOut: 1, bytesIn: 2),
            EgressTrackerTests.Flow("198.51.100.1", 443, "collector.example", pm, t: t + 2000));
        var d = Assert.Single(second);
        Assert.Equal("collector.example", d.Row.Destination);
        Assert.Equal(2, d.KnownDestinations);

        using var db = Open();
        var rows = EgressHistory.Query(db, 0);
        Assert.Equal(2, rows.Count);
        var gift = rows.Single(r => r.Destination == "giftshop.club");
        Assert.Equal(("claude-desktop", "postmark", "postmark-mcp", "1.0.16", "203.0.113.7", 443), (gift.Client, gift.Server, gift.Package, gift.Version, gift.Ip, gift.Port));
        Assert.Equal((2L, 101L, 1002L), (gift.Connections, gift.BytesOut, gift.BytesIn));
        Assert.Equal((t, t + 1000 + 1_000_000_000), (gift.FirstSeenNs, gift.LastSeenNs));
        Assert.Empty(_log);
    }

    [Fact]
    public void AVersion2FileMigratesKeepingItsRows()
    {
        using (var c = new SqliteConnection($"Data Source={File()};Pooling=False"))
        {
            c.Open();
            for (int v = 0; v < 2; v++)
                foreach (var sql in StateDatabase.Migrations[v]) StateDatabase.Execute(c, sql);
            StateDatabase.Execute(c, "PRAGMA user_version = 2");
            StateDatabase.Execute(c, $"INSERT INTO servers VALUES('k', 'claude-desktop', 'postmark', NULL, 1, 'postmark-mcp', '1.0.16', 'npm', 0, 1, 5, 6, {DateTimeOffset.UtcNow.ToUnixTimeSeconds()})");
        }
        Assert.Equal(3, StateDatabase.SchemaVersion);
        using (var db = Open())
        {
            Assert.Equal(1, db.Count("servers"));
            Assert.Equal(0, db.Count("egress"));
            Assert.Equal(0, db.Count("advisory_matches"));
            Assert.Equal("postmark", Assert.Single(InventoryHistory.LoadPresent(db)).Value.Name);
            EgressHistory.Record(db, new EgressRow("claude-desktop", "postmark", null, null, "", "203.0.113.7", 25, 1, 2, 1, 3, 4));
            db.Flush();
            Assert.Equal(1, db.Count("egress"));
        }
        Assert.Empty(_log);
    }

    [Fact]
    public void AdvisoryMatchesKeepWhenTheyFirstMatched()
    {
        var advisory = new AdvisoryMatch("MAL-2025-47604", "Malicious code in postmark-mcp (npm)", "range", true);
        var server = new McpServerState
        {
            Key = "k", Client = "claude-desktop", Name = "postmark", Transport = McpTransport.Stdio, Package = "postmark-mcp",
            PackageType = "npm", Version = "1.0.16", Advisories = [advisory],
        };
        using var db = Open();
        InventoryHistory.Record(db, [server], 1_000, 0);
        InventoryHistory.Record(db, [server with { Version = "1.0.17" }], 2_000, 0);
        InventoryHistory.Record(db, [server with { Advisories = [] }], 3_000, 0); // no longer matching: the first match stays on record
        var first = InventoryHistory.AdvisoryFirstMatched(db);
        Assert.Equal(1_000, first[("claude-desktop", "postmark", "MAL-2025-47604")]);
        Assert.Equal(1, db.Count("advisory_matches"));
        Assert.Equal("1.0.17", db.Read(c => (string)StateDatabase.Scalar(c, "SELECT version FROM advisory_matches")!));
    }

    [Theory]
    [InlineData("24h")]
    [InlineData("iso")]
    public void InventoryStateSincePrintsEachServersRecentDestinationsAsJson(string since)
    {
        long now = Now;
        using (var db = Open())
        {
            EgressHistory.Record(db, new EgressRow("claude-desktop", "postmark", "postmark-mcp", "1.0.16", "giftshop.club", "203.0.113.7", 443, now - 3 * Day, now - 3600_000_000_000L, 3, 300, 3000));
            EgressHistory.Record(db, new EgressRow("claude-desktop", "postmark", "postmark-mcp", "1.0.16", "api.postmarkapp.com", "198.51.100.4", 443, now - 5 * Day, now - 3 * Day, 9, 900, 9000));
            EgressHistory.Record(db, new EgressRow("", "/usr/bin/curl", null, null, "example.org", "192.0.2.1", 443, now - 3600_000_000_000L, now - 3600_000_000_000L, 1, 1, 1));
        }
        string home = Directory.CreateDirectory(Path.Combine(_tmp, "home")).FullName;
        string arg = since == "iso" ? DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") : since;
        var r = CliRunner.Run("inventory", "--home", home, "--no-processes", "--json", "--state", File(), "--since", arg);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var servers = JsonDocument.Parse(r.Stdout).RootElement;
        var server = Assert.Single(servers.EnumerateArray()).GetProperty("mcp_egress").GetProperty("mcp_server");
        Assert.Equal(("postmark", "claude-desktop", "seen_in_traffic"),
            (server.GetProperty("name").GetString(), server.GetProperty("client").GetString(), server.GetProperty("state")[0].GetString()));
        var dest = Assert.Single(server.GetProperty("destinations").EnumerateArray()); // the 3-day-old one is filtered out
        Assert.Equal("giftshop.club", dest.GetProperty("domain").GetString());
        Assert.Equal("203.0.113.7", dest.GetProperty("ip").GetString());
        Assert.Equal(443, dest.GetProperty("port").GetInt32());
        Assert.Equal((3, 300, 3000), (dest.GetProperty("connections").GetInt32(), dest.GetProperty("bytes_out").GetInt32(), dest.GetProperty("bytes_in").GetInt32()));
        Assert.Equal("postmark-mcp@1.0.16", dest.GetProperty("package").GetString());
        Assert.True(DateTimeOffset.Parse(dest.GetProperty("first_seen").GetString()!) < DateTimeOffset.UtcNow.AddDays(-2));

        // Without --since every destination; --all-senders adds the other processes.
        var all = CliRunner.Run("inventory", "--home", home, "--no-processes", "--json", "--state", File(), "--all-senders");
        Assert.True(all.ExitCode == 0, all.Stderr);
        var objects = JsonDocument.Parse(all.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, objects[0].GetProperty("mcp_egress").GetProperty("mcp_server").GetProperty("destinations").GetArrayLength());
        Assert.Equal("/usr/bin/curl", objects[1].GetProperty("mcp_egress").GetProperty("sender").GetProperty("name").GetString());

        // The table names them too.
        var table = CliRunner.Run("inventory", "--home", home, "--no-processes", "--state", File(), "--since", "2d");
        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.Contains("giftshop.club", table.Stdout);
        Assert.DoesNotContain("api.postmarkapp.com", table.Stdout);
        Assert.Contains("1 destinations of 1 MCP servers last seen since 2d", table.Stdout);
    }

    [Fact]
    public void InventoryReadsStateAndAdvisoriesFromTheConfig_AndSinceNeedsAState()
    {
        string home = Directory.CreateDirectory(Path.Combine(_tmp, "home")).FullName;
        var bad = CliRunner.Run("inventory", "--home", home, "--no-processes", "--since", "24h");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("--since needs a state database", bad.Stderr);
        var badSince = CliRunner.Run("inventory", "--home", home, "--no-processes", "--state", File(), "--since", "yesterday-ish");
        Assert.Equal(1, badSince.ExitCode);

        using (var db = Open())
            EgressHistory.Record(db, new EgressRow("cursor", "fetch", null, null, "", "192.0.2.9", 8080, Now, Now, 1, 2, 3));
        string config = Path.Combine(_tmp, "c.yaml");
        System.IO.File.WriteAllText(config, $"""
            state:
              path: {File()}
            inventory:
              homes: [{home}]
              processes: false
            """);
        var r = CliRunner.Run("inventory", "--config", config, "--json", "--since", "1h");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var server = Assert.Single(JsonDocument.Parse(r.Stdout).RootElement.EnumerateArray()).GetProperty("mcp_egress").GetProperty("mcp_server");
        Assert.Equal("fetch", server.GetProperty("name").GetString());
        var dest = Assert.Single(server.GetProperty("destinations").EnumerateArray());
        Assert.False(dest.TryGetProperty("domain", out _)); // the flow named none
        Assert.Equal("192.0.2.9", dest.GetProperty("ip").GetString());
        using var after = Open();
        Assert.Equal(1, after.Count("inventory_scans")); // the scan was recorded in the config's state file
    }
}
