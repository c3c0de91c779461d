using McpEgress.Detection.Egress;
using Microsoft.Data.Sqlite;

namespace McpEgress.State;

/// <summary>
/// Per-server egress in the state database (table <c>egress</c>, one row per sender and destination name, IP and port).
/// The daemon's <see cref="EgressTracker"/> loads <see cref="Load"/> at start, so a destination seen
/// before a restart is not new again, and queues one additive <see cref="Record"/> per flow (behind the packet path);
/// <c>inventory --state</c> reads <see cref="Query"/>.
/// </summary>
public static class EgressHistory
{
    /// <summary>Rows kept (least recently updated deleted first, with the retention): the tracker's default bounds.</summary>
    public static long MaxRows => (long)(EgressOptions.Default.MaxServers + EgressOptions.Default.MaxOtherSenders)
        * EgressOptions.Default.MaxDestinationsPerServer;

    private const string Columns = "client, server, package, version, destination, ip, port, first_seen_ns, last_seen_ns, connections, bytes_out, bytes_in";

    /// <summary>
    /// Queues one flow's share of a row: connections and bytes are added, first seen kept at the earliest, last seen at
    /// the latest, package and version at the latest. Additive, so a dropped write loses that flow only.
    /// </summary>
    public static void Record(StateDatabase db, EgressRow delta) =>
        db.Enqueue(
            $"""
            INSERT INTO egress({Columns}, updated_at) VALUES($a0, $a1, $a2, $a3, $a4, $a5, $a6, $a7, $a8, $a9, $a10, $a11, $a12)
            ON CONFLICT(client, server, destination, ip, port) DO UPDATE SET
                package = coalesce(excluded.package, package), version = coalesce(excluded.version, version),
                first_seen_ns = min(first_seen_ns, excluded.first_seen_ns), last_seen_ns = max(last_seen_ns, excluded.last_seen_ns),
                connections = connections + excluded.connections, bytes_out = bytes_out + excluded.bytes_out,
                bytes_in = bytes_in + excluded.bytes_in, updated_at = excluded.updated_at
            """,
            delta.Client, delta.Server, delta.Package, delta.Version, delta.Destination, delta.Ip, (long)delta.Port,
            delta.FirstSeenNs, delta.LastSeenNs, delta.Connections, delta.BytesOut, delta.BytesIn, db.Now);

    /// <summary>The most recently updated rows, at most <paramref name="max"/> (the daemon's start).</summary>
    public static List<EgressRow> Load(StateDatabase db, long max, Action<string>? log = null)
    {
        try
        {
            return db.Read(c => Select(c, $"SELECT {Columns} FROM egress ORDER BY updated_at DESC LIMIT $max", ("$max", max)));
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException or InvalidCastException)
        {
            log?.Invoke($"warning: egress history in {db.Path} could not be loaded ({e.Message.ReplaceLineEndings(" ")}); every destination counts as new");
            return [];
        }
    }

    /// <summary>Rows last seen at or after <paramref name="sinceNs"/> (Unix ns; 0: all), by sender then destination.</summary>
    public static List<EgressRow> Query(StateDatabase db, long sinceNs) =>
        db.Read(c => Select(c, $"SELECT {Columns} FROM egress WHERE last_seen_ns >= $since ORDER BY client, server, destination, ip, port", ("$since", sinceNs)));

    /// <summary>
    /// <c>--since</c>: a duration back from <paramref name="now"/> (<c>90s</c>, <c>30m</c>, <c>24h</c>, <c>7d</c>, the
    /// config's duration syntax) or an ISO 8601 time (<c>2026-01-31</c>, <c>2026-01-31T08:00:00Z</c>; no zone: UTC), as Unix ns.
    /// </summary>
    public static bool TryParseSince(string text, DateTimeOffset now, out long sinceNs)
    {
        sinceNs = 0;
        text = text.Trim();
        if (text.Length > 0 && char.IsAsciiLetter(text[^1]) && McpEgress.Config.LimitsSection.TryParseDuration(text, out var back))
        {
            sinceNs = Math.Max(0, (now - back).ToUnixTimeMilliseconds()) * 1_000_000;
            return true;
        }
        if (!DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AllowWhiteSpaces, out var at)) return false;
        sinceNs = Math.Max(0, (at.UtcTicks - DateTime.UnixEpoch.Ticks) * 100);
        return true;
    }

    private static List<EgressRow> Select(SqliteConnection c, string sql, (string Name, long Value) arg)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue(arg.Name, arg.Value);
        using var r = cmd.ExecuteReader();
        var rows = new List<EgressRow>();
        while (r.Read())
            rows.Add(new EgressRow(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                r.GetString(4), r.GetString(5), (int)r.GetInt64(6), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9), r.GetInt64(10), r.GetInt64(11)));
        return rows;
    }
}
