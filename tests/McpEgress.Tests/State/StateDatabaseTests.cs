using System.Text.Json;
using McpEgress.Config;
using McpEgress.Detection;
using McpEgress.Detection.Baselines;
using McpEgress.Inventory;
using McpEgress.Mail;
using McpEgress.State;
using McpEgress.Tests.Cli;
using McpEgress.Tests.Golden;
using Microsoft.Data.Sqlite;
using static McpEgress.Tests.Detection.TestMessages;

namespace McpEgress.Tests.State;

/// <summary>The state database: schema and migrations, baselines across restarts, corrupt files, retention, replay --state.</summary>
public sealed class StateDatabaseTests : IDisposable
{
    private const long Hour = 3_600_000_000_000;
    private const long T0 = 1_758_794_472_000_000_000; // 2025-09-25T10:01:12Z
    private readonly string _tmp = Directory.CreateTempSubdirectory("mcp-egress-state").FullName;
    private readonly List<string> _log = [];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_tmp, recursive: true);
    }

    private string File(string name = "state.db") => Path.Combine(_tmp, name);

    private StateDatabase Open(string path, StateOptions? options = null, TimeProvider? clock = null)
    {
        var db = StateDatabase.TryOpen(path, options, line => { lock (_log) _log.Add(line); }, clock);
        Assert.NotNull(db);
        return db;
    }

    private static MailMessage ApiMail(string to, string? bcc, long t, ProcessFacts process) => new()
    {
        Transport = MailTransport.Http, Provider = "postmark", TimestampNs = t, From = A("alice@example.com"), To = A(to),
        Bcc = A(bcc is null ? [] : [bcc]), Subject = "s", Process = process,
    };

    private static long UserVersion(string path)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA user_version";
        return (long)cmd.ExecuteScalar()!;
    }

    [Fact]
    public void CreatesTheSchemaInWalMode()
    {
        using (var db = Open(File()))
        {
            Assert.Null(db.CorruptMovedTo);
            foreach (var table in StateDatabase.Tables) Assert.Equal(0, db.Count(table));
        }
        Assert.Equal(StateDatabase.SchemaVersion, UserVersion(File()));
        using var c = new SqliteConnection($"Data Source={File()};Pooling=False");
        c.Open();
        Assert.Equal("wal", StateDatabase.Scalar(c, "PRAGMA journal_mode"));
        Assert.Empty(_log);
    }

    [Fact]
    public void MigratesADatabaseFromThePreviousVersionKeepingItsRows()
    {
        // A file as the previous schema version left it, with a row.
        using (var c = new SqliteConnection($"Data Source={File()};Pooling=False"))
        {
            c.Open();
            for (int v = 0; v < StateDatabase.SchemaVersion - 1; v++)
                foreach (var sql in StateDatabase.Migrations[v]) StateDatabase.Execute(c, sql);
            StateDatabase.Execute(c, $"PRAGMA user_version = {StateDatabase.SchemaVersion - 1}");
            StateDatabase.Execute(c, "INSERT INTO hidden_domains VALUES('collector.example', 1, 7, 2, " + DateTimeOffset.UtcNow.ToUnixTimeSeconds() + ")");
        }
        using (var db = Open(File()))
        {
            Assert.Equal(1, db.Count("hidden_domains"));
            Assert.Equal(0, db.Count("egress")); // a table of the last migration exists now
        }
        Assert.Equal(StateDatabase.SchemaVersion, UserVersion(File()));
        Assert.Empty(_log);
    }

    [Fact]
    public void ANewerSchemaIsNotTouchedAndStateStaysInMemory()
    {
        using (var c = new SqliteConnection($"Data Source={File()};Pooling=False"))
        {
            c.Open();
            StateDatabase.Execute(c, $"PRAGMA user_version = {StateDatabase.SchemaVersion + 5}");
        }
        Assert.Null(StateDatabase.TryOpen(File(), null, _log.Add));
        Assert.Contains(_log, l => l.Contains("newer than this build", StringComparison.Ordinal));
        Assert.Equal(StateDatabase.SchemaVersion + 5, UserVersion(File()));
    }

    [Fact]
    public void BehaviourChangeFiresOnTheFirstCopyAfterARestart()
    {
        var v15 = new ProcessFacts { Pid = 4242, Name = "node", Package = "postmark-mcp", PackageVersion = "1.0.15" };
        // Run 1: 1.0.15 sends clean mail.
        using (var db = Open(File()))
        {
            var engine = new DetectionEngine(DetectionPolicy.Default, BaselinePersistence.Open(db));
            for (int i = 0; i < 3; i++)
                Assert.Empty(engine.Evaluate(ApiMail($"client@customer{i}.example", null, T0 + i * Hour, v15)));
        }
        // Run 2: a new process, a new store over the same file; 1.0.16 copies.
        using (var db = Open(File()))
        {
            var engine = new DetectionEngine(DetectionPolicy.Default, BaselinePersistence.Open(db));
            var first = engine.Evaluate(ApiMail("ceo@corp.example", "stats@quiet-metrics.example", T0 + 10 * Hour, v15 with { PackageVersion = "1.0.16" }));
            var change = Assert.Single(first, a => a.RuleId == BehaviourChangeRule.RuleId);
            Assert.Equal(Severity.Critical, change.Severity);
            Assert.Equal(["1.0.15"], change.Baseline!.OldVersions);
            Assert.Equal(3, change.Baseline.OldVersionMessages);
        }
        // Without the file, the same run 2 has no baseline and no behaviour-change.
        var fresh = new DetectionEngine(DetectionPolicy.Default);
        Assert.DoesNotContain(fresh.Evaluate(ApiMail("ceo@corp.example", "stats@quiet-metrics.example", T0 + 10 * Hour, v15 with { PackageVersion = "1.0.16" })),
            a => a.RuleId == BehaviourChangeRule.RuleId);
        Assert.Empty(_log);
    }

    [Fact]
    public void HiddenSinkCountsAcrossARestart()
    {
        var p = new ProcessFacts { Executable = "/usr/bin/python3" };
        string[] to = ["ceo@corp.example", "jane@partner.example", "help@vendor.example"];
        for (int run = 0; run < 3; run++)
        {
            using var db = Open(File());
            var engine = new DetectionEngine(DetectionPolicy.Default, BaselinePersistence.Open(db));
            var alerts = engine.Evaluate(ApiMail(to[run], "stats@quiet-metrics.example", T0 + run * Hour, p));
            Assert.Equal(run == 2, alerts.Any(a => a.RuleId == HiddenSinkRule.RuleId));
            Assert.Equal(run == 0, alerts.Any(a => a.RuleId == NewHiddenDomainRule.RuleId));
        }
    }

    [Fact]
    public void ACorruptFileIsKeptAsideAndAFreshStateStarts()
    {
        var bytes = new byte[64 * 1024];
        new Random(TestSeed.For(nameof(ACorruptFileIsKeptAsideAndAFreshStateStarts))).NextBytes(bytes);
        System.IO.File.WriteAllBytes(File(), bytes);

        using (var db = Open(File()))
        {
            Assert.NotNull(db.CorruptMovedTo);
            Assert.StartsWith(File() + ".corrupt-", db.CorruptMovedTo);
            Assert.Equal(bytes, System.IO.File.ReadAllBytes(db.CorruptMovedTo!));
            Assert.Equal(0, db.Count("sinks"));
        }
        var warning = Assert.Single(_log);
        Assert.Contains("is corrupt", warning);
        Assert.Contains("starting a fresh state", warning);
    }

    [Fact]
    public void ACorruptHeaderOfARealDatabaseIsKeptAside()
    {
        using (var db = Open(File()))
        {
            var engine = new DetectionEngine(DetectionPolicy.Default, BaselinePersistence.Open(db));
            engine.Evaluate(ApiMail("a@corp.example", "x@collector.example", T0, new ProcessFacts { Executable = "/bin/x" }));
        }
        SqliteConnection.ClearAllPools();
        using (var f = new FileStream(File(), FileMode.Open, FileAccess.Write)) f.Write("this is not SQLite"u8);
        using var fresh = Open(File());
        Assert.NotNull(fresh.CorruptMovedTo);
        Assert.Equal(0, fresh.Count("hidden_domains"));
    }

    [Fact]
    public void AnUnusableFileIsAWarningNotACrash()
    {
        Directory.CreateDirectory(File("dir.db"));
        Assert.Null(StateDatabase.TryOpen(File("dir.db"), null, _log.Add));
        Assert.Contains("kept in memory", Assert.Single(_log));
        // The caller goes on in memory.
        Assert.NotNull(BaselinePersistence.Open(null));
    }

    [Fact]
    public void RetentionDeletesRowsNotUpdatedForRetentionDays()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var options = new StateOptions { RetentionDays = 90 };
        using (var db = Open(File(), options, clock))
        {
            var store = BaselinePersistence.Open(db);
            store.RecordHiddenDomain("old.example", "pkg@1", T0);
            db.Flush();
            clock.Now = clock.Now.AddDays(60);
            store.RecordHiddenDomain("recent.example", "pkg@1", T0 + Hour);
            db.Flush();
            clock.Now = clock.Now.AddDays(40); // old: 100 days, recent: 40 days
            Assert.Equal(2, db.EnforceRetention()); // hidden_domains and sender_domains rows of old.example
            Assert.Equal(1, db.Count("hidden_domains"));
            Assert.Equal(1, db.Count("sender_domains"));
        }
        // At open too.
        clock.Now = clock.Now.AddDays(100);
        using (var db = Open(File(), options, clock))
        {
            Assert.Equal(0, db.Count("hidden_domains"));
            Assert.True(db.RowsExpired > 0); // deleted at open
        }
    }

    [Fact]
    public void AFullQueueDropsTheOldestAndCountsIt()
    {
        using var db = Open(File(), new StateOptions { MaxQueuedWrites = 10, FlushInterval = TimeSpan.FromHours(1) });
        for (int i = 0; i < 25; i++)
            db.Enqueue("INSERT INTO inventory_scans(at_ns, servers, problems, updated_at) VALUES($a0, 0, 0, $a1)", (long)i, db.Now);
        Assert.Equal(15, db.DroppedWrites);
        db.Flush();
        Assert.Equal(10, db.Count("inventory_scans"));
        Assert.Contains(_log, l => l.Contains("oldest are dropped", StringComparison.Ordinal));
    }

    [Fact]
    public void WaitWhenFullCommitsInsteadOfDropping()
    {
        using var db = Open(File(), new StateOptions { MaxQueuedWrites = 10, FlushInterval = TimeSpan.FromHours(1), WaitWhenFull = true });
        for (int i = 0; i < 25; i++)
            db.Enqueue("INSERT INTO inventory_scans(at_ns, servers, problems, updated_at) VALUES($a0, 0, 0, $a1)", (long)i, db.Now);
        Assert.Equal(0, db.DroppedWrites);
        Assert.Equal(25, db.Count("inventory_scans"));
    }

    [Fact]
    public void RetentionAlsoTrimsBaselineTablesToWhatALoadCanRead()
    {
        using var db = Open(File(), new StateOptions { WaitWhenFull = true });
        long cap = StateDatabase.RowCaps.Single(c => c.Table == "hidden_domains").MaxRows;
        for (long i = 0; i < cap + 5; i++)
            db.Enqueue("INSERT INTO hidden_domains VALUES($a0, 0, 1, 0, $a1)", $"d{i}.example", db.Now - (cap + 5 - i)); // d0 oldest
        db.Flush();
        Assert.Equal(5, db.EnforceRetention());
        Assert.Equal(cap, db.Count("hidden_domains"));
    }

    [Fact]
    public void InventoryHistoryKeepsFirstSeenAndWhatIsPresent()
    {
        McpServerState Server(string name, string version) => new()
        {
            Key = "claude\0/home/a/.claude.json\0\0" + name, Client = "claude-code", Name = name, ConfigFile = "/home/a/.claude.json",
            Transport = McpTransport.Stdio, Package = name, Version = version, PackageType = "npm",
        };
        using (var db = Open(File()))
        {
            InventoryHistory.Record(db, [Server("postmark-mcp", "1.0.15"), Server("other", "2.0.0")], 1000, 0);
            InventoryHistory.Record(db, [Server("postmark-mcp", "1.0.16")], 2000, 1);
        }
        using (var db = Open(File()))
        {
            var present = InventoryHistory.LoadPresent(db);
            var s = Assert.Single(present.Values);
            Assert.Equal("1.0.16", s.Version);
            Assert.Equal(1000, InventoryHistory.FirstSeen(db, s.Key));
            Assert.Equal(2, db.Count("servers"));
            Assert.Equal(3, db.Count("server_versions"));
            Assert.Equal(2, db.Count("inventory_scans"));
        }
    }

    [Fact]
    public void ReplayWithStateTwiceKeepsItsAlertsAndFillsTheFile()
    {
        string pcap = Path.Combine(RepoPaths.Captures, "api/mcp-postmark-incident.pcap");
        string keys = Path.Combine(RepoPaths.Captures, "api/mcp-postmark-incident.keys");
        string[] Alerts(string stdout) => stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(d => d.GetProperty("event").GetProperty("kind").GetString() == "alert")
            .Select(d => d.GetProperty("rule").GetProperty("id").GetString()!).Order().ToArray();

        var (code0, plain, _) = CliRunner.Run("replay", pcap, "--keylog", keys);
        Assert.Equal(0, code0);
        var (code1, first, err1) = CliRunner.Run("replay", pcap, "--keylog", keys, "--state", File());
        Assert.True(code1 == 0, err1);
        Assert.Equal(Alerts(plain), Alerts(first));
        Assert.Contains("denied-domain", Alerts(first));

        var (code2, second, err2) = CliRunner.Run("replay", pcap, "--keylog", keys, "--state", File());
        Assert.True(code2 == 0, err2);
        // The policy alerts are all there again; the baseline ones remember run 1: the domain is no longer new and the
        // sink was already paged for within its window (the same capture replays the same times).
        Assert.Equal(Alerts(first).Where(a => a is not ("new-hidden-domain" or "hidden-sink")), Alerts(second));
        Assert.Contains("denied-domain", Alerts(second));
        Assert.Contains("hidden-sink", Alerts(first));
        Assert.Equal(plain.Split('\n').Count(l => l.Contains("\"kind\":\"event\"", StringComparison.Ordinal)),
            second.Split('\n').Count(l => l.Contains("\"kind\":\"event\"", StringComparison.Ordinal)));
        Assert.DoesNotContain("warning", err2);

        using var db = Open(File());
        Assert.True(db.Count("hidden_domains") > 0);
        Assert.True(db.Count("sinks") > 0);
    }

    [Fact]
    public void ReplayOverACorruptStateFileWarnsAndStillProducesItsEvents()
    {
        System.IO.File.WriteAllBytes(File(), Enumerable.Range(0, 8192).Select(i => (byte)(i * 37)).ToArray());
        string pcap = Path.Combine(RepoPaths.Captures, "api/mcp-postmark-incident.pcap");
        string keys = Path.Combine(RepoPaths.Captures, "api/mcp-postmark-incident.keys");
        var (code, stdout, stderr) = CliRunner.Run("replay", pcap, "--keylog", keys, "--state", File());
        Assert.True(code == 0, stderr);
        Assert.Contains("is corrupt", stderr);
        Assert.Contains("phan@giftshop.club", stdout);
        Assert.Single(Directory.GetFiles(_tmp, "state.db.corrupt-*"));
    }

    [Fact]
    public void StateSectionRoundTripsAndValidates()
    {
        var config = ConfigLoader.Parse("state:\n  path: /tmp/x.db\n  retention_days: 30\n", "yaml");
        Assert.Equal("/tmp/x.db", config.State.Path);
        Assert.Equal(30, config.State.RetentionDays);
        var again = ConfigLoader.Parse(ConfigYamlWriter.Write(config), "yaml");
        Assert.Equal("/tmp/x.db", again.State.Path);
        Assert.Equal(30, again.State.RetentionDays);
        var defaults = ConfigLoader.Parse(ConfigYamlWriter.Write(McpEgressConfig.Default), "yaml");
        Assert.Null(defaults.State.Path);
        Assert.Equal(90, defaults.State.RetentionDays);

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("state:\n  retention_days: 0\n  pth: x\n", "yaml", "c.yaml"));
        Assert.Contains(e.Errors, x => x.ToString().StartsWith("c.yaml:2:", StringComparison.Ordinal) && x.ToString().Contains("state.retention_days", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.ToString().StartsWith("c.yaml:3:", StringComparison.Ordinal) && x.ToString().Contains("pth", StringComparison.Ordinal));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
