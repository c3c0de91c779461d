using System.Globalization;
using System.Text;
using McpEgress.Detection.Baselines;
using Microsoft.Data.Sqlite;

namespace McpEgress.State;

/// <summary>
/// Baselines that survive restarts: the rules keep working on an <see cref="InMemoryBaselineStore"/> (no SQLite on
/// the message path); <see cref="Load"/> fills it from the state database at start (most recently updated rows,
/// within the store's bounds) and then attaches a journal that queues every change for the database's writer thread
/// (write-behind). What was queued but not yet committed when the process dies is lost: at most one flush interval.
/// </summary>
public static class BaselinePersistence
{
    /// <summary>A store loaded from <paramref name="db"/> whose changes are written back to it; a plain in-memory store when <paramref name="db"/> is null.</summary>
    public static InMemoryBaselineStore Open(StateDatabase? db, BaselineLimits? limits = null, Action<string>? log = null)
    {
        var store = new InMemoryBaselineStore(limits);
        if (db is not null) Load(db, store, limits ?? BaselineLimits.Default, log);
        return store;
    }

    /// <summary>Loads <paramref name="db"/>'s baselines into <paramref name="store"/> and attaches the journal. Never throws: a failed load is logged and the store keeps what it got.</summary>
    public static void Load(StateDatabase db, InMemoryBaselineStore store, BaselineLimits limits, Action<string>? log = null)
    {
        try
        {
            db.Read(c =>
            {
                Rows(c, "SELECT sink, first_seen_ns, total, last_alert_ns, times, next, domains, max_domains FROM (SELECT * FROM sinks ORDER BY updated_at DESC LIMIT $n) ORDER BY updated_at", limits.MaxSinks,
                    r => store.RestoreSink(new SinkSnapshot(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3),
                        ParseTimes(r.GetString(4)), r.GetInt32(5), ParseDomains(r.GetString(6)), r.GetInt32(7))));
                Rows(c, "SELECT domain, first_seen_ns, messages FROM (SELECT * FROM hidden_domains ORDER BY updated_at DESC LIMIT $n) ORDER BY updated_at", limits.MaxHiddenDomains,
                    r => store.RestoreHiddenDomain(r.GetString(0), r.GetInt64(1), r.GetInt64(2)));
                Rows(c, "SELECT sender, domain FROM (SELECT * FROM sender_domains ORDER BY updated_at DESC LIMIT $n) ORDER BY updated_at", limits.MaxSenderDomains,
                    r => store.RestoreSenderDomain(r.GetString(0), r.GetString(1)));
                Rows(c, "SELECT package, version, messages, first_seen_ns, last_seen_ns FROM (SELECT * FROM package_versions ORDER BY updated_at DESC LIMIT $n) ORDER BY first_seen_ns", limits.MaxPackages * limits.MaxVersionsPerPackage,
                    r => store.RestorePackageVersion(r.GetString(0), new VersionStats(r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4))));
                Rows(c, "SELECT package, domain FROM (SELECT * FROM package_domains ORDER BY updated_at DESC LIMIT $n) ORDER BY first_seen_ns", limits.MaxPackages * limits.MaxDomainsPerPackage,
                    r => store.RestorePackageDomain(r.GetString(0), r.GetString(1)));
                return 0;
            });
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException or FormatException or InvalidCastException)
        {
            log?.Invoke($"warning: baselines in {db.Path} could not all be loaded ({e.Message.ReplaceLineEndings(" ")}); going on with what was read");
        }
        store.Journal = new Journal(db);
    }

    private static void Rows(SqliteConnection c, string sql, long limit, Action<SqliteDataReader> row)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$n", limit);
        using var r = cmd.ExecuteReader();
        while (r.Read()) row(r);
    }

    private static long[] ParseTimes(string text) =>
        text.Length == 0 ? [] : text.Split(',').Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();

    private static (string, long)[] ParseDomains(string text)
    {
        if (text.Length == 0) return [];
        var lines = text.Split('\n');
        var result = new (string, long)[lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            int tab = lines[i].LastIndexOf('\t');
            result[i] = (lines[i][..tab], long.Parse(lines[i].AsSpan(tab + 1), CultureInfo.InvariantCulture));
        }
        return result;
    }

    private static string FormatTimes(long[] times) => string.Join(',', times.Select(t => t.ToString(CultureInfo.InvariantCulture)));

    private static string FormatDomains((string Domain, long LastSeenNs)[] domains)
    {
        var sb = new StringBuilder();
        foreach (var (d, t) in domains)
        {
            if (sb.Length > 0) sb.Append('\n');
            sb.Append(d).Append('\t').Append(t.ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>Turns store changes into queued upserts (called inside the store's lock: formatting and a queue add only).</summary>
    private sealed class Journal(StateDatabase db) : IBaselineJournal
    {
        public void SinkChanged(SinkSnapshot s) => db.Enqueue(
            """
            INSERT INTO sinks(sink, first_seen_ns, total, last_alert_ns, times, next, domains, max_domains, updated_at)
            VALUES($a0, $a1, $a2, $a3, $a4, $a5, $a6, $a7, $a8)
            ON CONFLICT(sink) DO UPDATE SET total = excluded.total, last_alert_ns = excluded.last_alert_ns, times = excluded.times,
                next = excluded.next, domains = excluded.domains, max_domains = excluded.max_domains, updated_at = excluded.updated_at
            """,
            s.Sink, s.FirstSeenNs, s.Total, s.LastAlertNs, FormatTimes(s.Times), s.Next, FormatDomains(s.Domains), s.MaxDomains, db.Now);

        public void HiddenDomainChanged(string domain, long firstSeenNs, long messages, long lastSeenNs) => db.Enqueue(
            """
            INSERT INTO hidden_domains(domain, first_seen_ns, messages, last_seen_ns, updated_at) VALUES($a0, $a1, $a2, $a3, $a4)
            ON CONFLICT(domain) DO UPDATE SET messages = excluded.messages, last_seen_ns = excluded.last_seen_ns, updated_at = excluded.updated_at
            """,
            domain, firstSeenNs, messages, lastSeenNs, db.Now);

        public void SenderDomainSeen(string sender, string domain, long timestampNs) => db.Enqueue(
            """
            INSERT INTO sender_domains(sender, domain, first_seen_ns, updated_at) VALUES($a0, $a1, $a2, $a3)
            ON CONFLICT(sender, domain) DO UPDATE SET updated_at = excluded.updated_at
            """,
            sender, domain, timestampNs, db.Now);

        public void PackageVersionChanged(string package, VersionStats v) => db.Enqueue(
            """
            INSERT INTO package_versions(package, version, messages, first_seen_ns, last_seen_ns, updated_at) VALUES($a0, $a1, $a2, $a3, $a4, $a5)
            ON CONFLICT(package, version) DO UPDATE SET messages = excluded.messages, last_seen_ns = excluded.last_seen_ns, updated_at = excluded.updated_at
            """,
            package, v.Version, v.Messages, v.FirstSeenNs, v.LastSeenNs, db.Now);

        public void PackageDomainAdded(string package, string domain, long timestampNs) => db.Enqueue(
            """
            INSERT INTO package_domains(package, domain, first_seen_ns, updated_at) VALUES($a0, $a1, $a2, $a3)
            ON CONFLICT(package, domain) DO UPDATE SET updated_at = excluded.updated_at
            """,
            package, domain, timestampNs, db.Now);
    }
}
