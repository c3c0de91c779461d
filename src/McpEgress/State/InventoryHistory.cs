using McpEgress.Inventory;
using Microsoft.Data.Sqlite;

namespace McpEgress.State;

/// <summary>
/// The inventory's history in the state database: every server ever seen (client, config file, name, package,
/// version, first and last seen, whether the last scan still found it), every version each was seen at, when each
/// first matched each advisory, and one row per scan. The daemon's <see cref="McpEgress.Daemon.InventoryMonitor"/> loads <see cref="LoadPresent"/> at start so a
/// restart does not report every server as appeared again; <c>inventory --state</c> records its scan.
/// </summary>
public static class InventoryHistory
{
    /// <summary>Queues one scan's result: the servers found are present (first seen kept), the others not.</summary>
    public static void Record(StateDatabase db, IEnumerable<McpServerState> servers, long nowNs, int problems)
    {
        long now = db.Now;
        int count = 0;
        db.Enqueue("UPDATE servers SET present = 0 WHERE present = 1");
        foreach (var s in servers)
        {
            count++;
            db.Enqueue(
                """
                INSERT INTO servers(key, client, name, config_file, transport, package, version, package_type, instrumented, present, first_seen_ns, last_seen_ns, updated_at)
                VALUES($a0, $a1, $a2, $a3, $a4, $a5, $a6, $a7, $a8, 1, $a9, $a9, $a10)
                ON CONFLICT(key) DO UPDATE SET client = excluded.client, name = excluded.name, config_file = excluded.config_file,
                    transport = excluded.transport, package = excluded.package, version = excluded.version, package_type = excluded.package_type,
                    instrumented = excluded.instrumented, present = 1, last_seen_ns = excluded.last_seen_ns, updated_at = excluded.updated_at
                """,
                s.Key, s.Client, s.Name, s.ConfigFile, (long)s.Transport, s.Package, s.Version, s.PackageType, s.Instrumented ? 1L : 0L, nowNs, now);
            db.Enqueue(
                """
                INSERT INTO server_versions(key, package, version, first_seen_ns, last_seen_ns, updated_at) VALUES($a0, $a1, $a2, $a3, $a3, $a4)
                ON CONFLICT(key, package, version) DO UPDATE SET last_seen_ns = excluded.last_seen_ns, updated_at = excluded.updated_at
                """,
                s.Key, s.Package ?? "", s.Version ?? "", nowNs, now);
            foreach (var a in s.Advisories)
                db.Enqueue(
                    """
                    INSERT INTO advisory_matches(key, advisory, client, name, package, version, malicious, first_matched_ns, last_matched_ns, updated_at)
                    VALUES($a0, $a1, $a2, $a3, $a4, $a5, $a6, $a7, $a7, $a8)
                    ON CONFLICT(key, advisory) DO UPDATE SET client = excluded.client, name = excluded.name, package = excluded.package,
                        version = excluded.version, malicious = excluded.malicious, last_matched_ns = excluded.last_matched_ns, updated_at = excluded.updated_at
                    """,
                    s.Key, a.Id, s.Client, s.Name, s.Package, s.Version, a.Malicious ? 1L : 0L, nowNs, now);
        }
        db.Enqueue("INSERT INTO inventory_scans(at_ns, servers, problems, updated_at) VALUES($a0, $a1, $a2, $a3)", nowNs, (long)count, (long)problems, now);
    }

    /// <summary>The servers the last recorded scan found, as the daemon remembers them between refreshes (advisories are matched again).</summary>
    public static Dictionary<string, McpServerState> LoadPresent(StateDatabase db, Action<string>? log = null)
    {
        var result = new Dictionary<string, McpServerState>(StringComparer.Ordinal);
        try
        {
            db.Read(c =>
            {
                using var cmd = c.CreateCommand();
                cmd.CommandText = "SELECT key, client, name, config_file, transport, package, version, package_type, instrumented FROM servers WHERE present = 1";
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    result[r.GetString(0)] = new McpServerState
                    {
                        Key = r.GetString(0), Client = r.GetString(1), Name = r.GetString(2),
                        ConfigFile = r.IsDBNull(3) ? null : r.GetString(3), Transport = (McpTransport)r.GetInt64(4),
                        Package = r.IsDBNull(5) ? null : r.GetString(5), Version = r.IsDBNull(6) ? null : r.GetString(6),
                        PackageType = r.IsDBNull(7) ? null : r.GetString(7), Instrumented = r.GetInt64(8) != 0,
                    };
                }
                return 0;
            });
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException or InvalidCastException)
        {
            log?.Invoke($"warning: inventory history in {db.Path} could not be loaded ({e.Message.ReplaceLineEndings(" ")}); every server counts as new");
        }
        return result;
    }

    /// <summary>
    /// When each (client, server name, advisory) first matched (wall clock ns), from the recorded scans: what a
    /// security team asks first ("since when has the malicious version been configured here?").
    /// </summary>
    public static Dictionary<(string Client, string Name, string Advisory), long> AdvisoryFirstMatched(StateDatabase db) => db.Read(c =>
    {
        var result = new Dictionary<(string, string, string), long>();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT client, name, advisory, min(first_matched_ns) FROM advisory_matches GROUP BY client, name, advisory";
        using var r = cmd.ExecuteReader();
        while (r.Read()) result[(r.GetString(0), r.GetString(1), r.GetString(2))] = r.GetInt64(3);
        return result;
    });

    /// <summary>When <paramref name="key"/> was first seen (wall clock ns); null when never.</summary>
    public static long? FirstSeen(StateDatabase db, string key) => db.Read(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT first_seen_ns FROM servers WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteScalar() is long v ? v : (long?)null;
    });
}
