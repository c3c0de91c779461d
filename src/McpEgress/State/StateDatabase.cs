using System.Globalization;
using Microsoft.Data.Sqlite;

namespace McpEgress.State;

/// <summary>
/// The state database: one SQLite file (WAL, <c>PRAGMA user_version</c> = the schema version, migrated forward by
/// <see cref="Migrations"/>) holding what must survive a restart: the baselines (<see cref="BaselinePersistence"/>)
/// the inventory's history (<see cref="InventoryHistory"/>) and per-server egress (<see cref="EgressHistory"/>).
/// <para>
/// Writes never happen on the caller's thread: <see cref="Enqueue"/> puts a statement on a bounded queue that a
/// writer thread commits in one transaction every <see cref="StateOptions.FlushInterval"/>; when the queue is full
/// the oldest write is dropped and counted (<see cref="DroppedWrites"/>). Rows carry <c>updated_at</c> (wall clock,
/// Unix seconds): rows older than <see cref="StateOptions.RetentionDays"/> are deleted at open and daily.
/// </para>
/// <para>
/// <see cref="TryOpen"/> never throws: a file that is not a database or fails <c>PRAGMA quick_check</c> is renamed
/// aside (<c>FILE.corrupt-YYYYMMDDTHHMMSSZ</c>, with its -wal and -shm) and a fresh state starts, with one warning;
/// a file that cannot be opened at all (permissions, a newer schema) gives a warning and null: the caller keeps its
/// state in memory for this run. A write that fails later (disk full) is counted and logged, never thrown.
/// </para>
/// </summary>
public sealed class StateDatabase : IDisposable
{
    /// <summary>
    /// The schema, one entry per version: entry i takes a database from version i to i + 1. Append only; never edit a
    /// shipped entry (a database at version N runs entries N.. at open, in one transaction).
    /// </summary>
    internal static readonly string[][] Migrations =
    [
        // 1: baselines and the inventory's servers.
        [
            """
            CREATE TABLE sinks(sink TEXT PRIMARY KEY, first_seen_ns INTEGER NOT NULL, total INTEGER NOT NULL,
                last_alert_ns INTEGER NOT NULL, times TEXT NOT NULL, next INTEGER NOT NULL, domains TEXT NOT NULL,
                max_domains INTEGER NOT NULL, updated_at INTEGER NOT NULL)
            """,
            "CREATE TABLE hidden_domains(domain TEXT PRIMARY KEY, first_seen_ns INTEGER NOT NULL, messages INTEGER NOT NULL, last_seen_ns INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
            "CREATE TABLE sender_domains(sender TEXT NOT NULL, domain TEXT NOT NULL, first_seen_ns INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY(sender, domain))",
            "CREATE TABLE package_versions(package TEXT NOT NULL, version TEXT NOT NULL, messages INTEGER NOT NULL, first_seen_ns INTEGER NOT NULL, last_seen_ns INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY(package, version))",
            "CREATE TABLE package_domains(package TEXT NOT NULL, domain TEXT NOT NULL, first_seen_ns INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY(package, domain))",
            """
            CREATE TABLE servers(key TEXT PRIMARY KEY, client TEXT NOT NULL, name TEXT NOT NULL, config_file TEXT,
                transport INTEGER NOT NULL, package TEXT, version TEXT, package_type TEXT, instrumented INTEGER NOT NULL,
                present INTEGER NOT NULL, first_seen_ns INTEGER NOT NULL, last_seen_ns INTEGER NOT NULL, updated_at INTEGER NOT NULL)
            """,
        ],
        // 2: every version each server was seen at, the scans, and updated_at indexes for the retention.
        [
            "CREATE TABLE server_versions(key TEXT NOT NULL, package TEXT NOT NULL, version TEXT NOT NULL, first_seen_ns INTEGER NOT NULL, last_seen_ns INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY(key, package, version))",
            "CREATE TABLE inventory_scans(id INTEGER PRIMARY KEY, at_ns INTEGER NOT NULL, servers INTEGER NOT NULL, problems INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
            "CREATE INDEX sinks_updated ON sinks(updated_at)",
            "CREATE INDEX hidden_domains_updated ON hidden_domains(updated_at)",
            "CREATE INDEX sender_domains_updated ON sender_domains(updated_at)",
            "CREATE INDEX package_versions_updated ON package_versions(updated_at)",
            "CREATE INDEX package_domains_updated ON package_domains(updated_at)",
            "CREATE INDEX servers_updated ON servers(updated_at)",
        ],
        // 3: per-server egress (EgressHistory) and when each server first matched each advisory.
        [
            """
            CREATE TABLE egress(client TEXT NOT NULL, server TEXT NOT NULL, package TEXT, version TEXT, destination TEXT NOT NULL,
                ip TEXT NOT NULL, port INTEGER NOT NULL, first_seen_ns INTEGER NOT NULL, last_seen_ns INTEGER NOT NULL,
                connections INTEGER NOT NULL, bytes_out INTEGER NOT NULL, bytes_in INTEGER NOT NULL, updated_at INTEGER NOT NULL,
                PRIMARY KEY(client, server, destination, ip, port))
            """,
            "CREATE INDEX egress_updated ON egress(updated_at)",
            "CREATE INDEX egress_last_seen ON egress(last_seen_ns)",
            """
            CREATE TABLE advisory_matches(key TEXT NOT NULL, advisory TEXT NOT NULL, client TEXT NOT NULL, name TEXT NOT NULL, package TEXT,
                version TEXT, malicious INTEGER NOT NULL, first_matched_ns INTEGER NOT NULL, last_matched_ns INTEGER NOT NULL,
                updated_at INTEGER NOT NULL, PRIMARY KEY(key, advisory))
            """,
            "CREATE INDEX advisory_matches_updated ON advisory_matches(updated_at)",
        ],
    ];

    /// <summary>The schema version this build writes.</summary>
    public static int SchemaVersion => Migrations.Length;

    /// <summary>Tables the retention prunes by <c>updated_at</c> (servers still present are refreshed every scan).</summary>
    internal static readonly string[] Tables =
        ["sinks", "hidden_domains", "sender_domains", "package_versions", "package_domains", "servers", "server_versions", "inventory_scans",
         "egress", "advisory_matches"];

    private readonly SqliteConnection _connection;
    private readonly StateOptions _options;
    private readonly Action<string> _log;
    private readonly TimeProvider _clock;
    private readonly object _dbLock = new();     // the connection: writer thread, flushes and loads
    private readonly object _queueLock = new();
    private readonly Queue<PendingWrite> _queue = new();
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _thread;
    private volatile bool _stop;
    private DateTimeOffset _nextRetention;
    private long _writesAtRetention;

    /// <summary>Writes after which the retention and row caps run again without waiting for the day.</summary>
    internal const long TrimEveryWrites = 250_000;
    private long _dropped, _written, _failures, _retained;
    private bool _disposed;

    private StateDatabase(string path, SqliteConnection connection, StateOptions options, Action<string> log, TimeProvider clock)
    {
        Path = path;
        _connection = connection;
        _options = options;
        _log = log;
        _clock = clock;
        _nextRetention = clock.GetUtcNow();
        EnforceRetention();
        _thread = new Thread(Loop) { IsBackground = true, Name = "mcp-egress state", Priority = ThreadPriority.BelowNormal };
        _thread.Start();
    }

    public string Path { get; }

    /// <summary>Where a corrupt file found at open was moved; null when the file was fine.</summary>
    public string? CorruptMovedTo { get; private set; }

    /// <summary>Writes dropped because the queue was full (oldest first).</summary>
    public long DroppedWrites => Interlocked.Read(ref _dropped);

    /// <summary>Writes committed.</summary>
    public long Writes => Interlocked.Read(ref _written);

    /// <summary>Batches that failed to commit (logged; their writes are lost, the run goes on).</summary>
    public long WriteFailures => Interlocked.Read(ref _failures);

    /// <summary>Rows deleted by the retention so far.</summary>
    public long RowsExpired => Interlocked.Read(ref _retained);

    /// <summary>Writes waiting for the writer thread.</summary>
    public int QueuedWrites { get { lock (_queueLock) return _queue.Count; } }

    /// <summary>
    /// Opens (creating it and its folder when missing) and migrates the state file. Never throws: a corrupt file is
    /// kept aside and replaced by a fresh one; an unusable one gives a warning on <paramref name="log"/> and null.
    /// </summary>
    public static StateDatabase? TryOpen(string path, StateOptions? options, Action<string> log, TimeProvider? clock = null)
    {
        options ??= new StateOptions();
        clock ??= TimeProvider.System;
        string full;
        try
        {
            full = System.IO.Path.GetFullPath(path);
            if (System.IO.Path.GetDirectoryName(full) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
            if (Directory.Exists(full)) throw new IOException("it is a directory");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            log($"warning: state file {path} cannot be used ({e.Message.ReplaceLineEndings(" ")}); baselines and inventory history are kept in memory for this run only");
            return null;
        }

        string? movedTo = null;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            SqliteConnection? connection = null;
            try
            {
                connection = Connect(full, options);
                string check = Scalar(connection, "PRAGMA quick_check") as string ?? "";
                if (!string.Equals(check, "ok", StringComparison.Ordinal)) throw new CorruptStateException(check);
                Migrate(connection);
                return new StateDatabase(full, connection, options, log, clock) { CorruptMovedTo = movedTo };
            }
            catch (Exception e) when (attempt == 0 && IsCorrupt(e))
            {
                connection?.Dispose();
                SqliteConnection.ClearAllPools();
                movedTo = full + ".corrupt-" + clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
                try
                {
                    File.Move(full, movedTo);
                    foreach (var suffix in (string[])["-wal", "-shm", "-journal"])
                        if (File.Exists(full + suffix)) File.Move(full + suffix, movedTo + suffix);
                }
                catch (Exception m) when (m is IOException or UnauthorizedAccessException)
                {
                    log($"warning: state file {path} is corrupt ({Describe(e)}) and cannot be moved aside ({m.Message.ReplaceLineEndings(" ")}); state is kept in memory for this run only");
                    return null;
                }
                log($"warning: state file {path} is corrupt ({Describe(e)}); kept as {movedTo}, starting a fresh state");
            }
            catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException or CorruptStateException)
            {
                connection?.Dispose();
                log($"warning: state file {path} cannot be used ({Describe(e)}); baselines and inventory history are kept in memory for this run only");
                return null;
            }
        }
        return null;
    }

    private static string Describe(Exception e) => e.Message.ReplaceLineEndings(" ");

    /// <summary>SQLITE_CORRUPT (11) or SQLITE_NOTADB (26), or a failed integrity check.</summary>
    private static bool IsCorrupt(Exception e) =>
        e is CorruptStateException || e is SqliteException { SqliteErrorCode: 11 or 26 };

    private static SqliteConnection Connect(string path, StateOptions options)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        };
        var c = new SqliteConnection(builder.ToString());
        c.Open();
        Execute(c, $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}");
        Scalar(c, "PRAGMA journal_mode = WAL");
        Execute(c, "PRAGMA synchronous = NORMAL");
        return c;
    }

    /// <summary>Runs the migrations after the file's <c>user_version</c>, in one transaction.</summary>
    internal static void Migrate(SqliteConnection c)
    {
        long version = Convert.ToInt64(Scalar(c, "PRAGMA user_version"), CultureInfo.InvariantCulture);
        if (version > Migrations.Length)
            throw new InvalidOperationException($"its schema version {version} is newer than this build's {Migrations.Length}; upgrade mcp-egress or give another --state file");
        if (version == Migrations.Length) return;
        using var tx = c.BeginTransaction();
        for (long v = version; v < Migrations.Length; v++)
            foreach (var sql in Migrations[v]) Execute(c, sql, tx);
        Execute(c, $"PRAGMA user_version = {Migrations.Length}", tx);
        tx.Commit();
    }

    internal static void Execute(SqliteConnection c, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }

    internal static object? Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    /// <summary>Wall-clock Unix seconds, the <c>updated_at</c> of every row.</summary>
    internal long Now => _clock.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>
    /// Queues one statement (parameters <c>$a0</c>, <c>$a1</c>, ...) for the writer thread. Any thread; O(1). When
    /// the queue holds <see cref="StateOptions.MaxQueuedWrites"/>, the oldest write is dropped and counted (or, with
    /// <see cref="StateOptions.WaitWhenFull"/>, the caller commits the queue itself first).
    /// </summary>
    public void Enqueue(string sql, params object?[] args)
    {
        if (_options.WaitWhenFull && QueuedWrites >= _options.MaxQueuedWrites) Flush(); // offline: the caller waits instead
        bool wake;
        lock (_queueLock)
        {
            if (_queue.Count >= _options.MaxQueuedWrites)
            {
                _queue.Dequeue();
                if (Interlocked.Increment(ref _dropped) == 1)
                    _log($"warning: state writes are arriving faster than {Path} takes them; the oldest are dropped (counted)");
            }
            _queue.Enqueue(new PendingWrite(sql, args));
            wake = _queue.Count >= 4096;
        }
        if (wake)
        {
            try { _wake.Set(); }
            catch (ObjectDisposedException) { } // a late write after Dispose: nothing commits it any more
        }
    }

    /// <summary>Commits everything queued now, on the calling thread.</summary>
    public void Flush()
    {
        lock (_dbLock) Drain();
    }

    /// <summary>Runs a read on the connection after committing what is queued (loads at start; not for the packet path).</summary>
    internal T Read<T>(Func<SqliteConnection, T> read)
    {
        lock (_dbLock)
        {
            Drain();
            return read(_connection);
        }
    }

    private void Loop()
    {
        while (!_stop)
        {
            _wake.WaitOne(_options.FlushInterval);
            lock (_dbLock)
            {
                if (_disposed) return;
                Drain();
                // Daily, and after every TrimEveryWrites writes: the file's high-water mark stays near the row caps (freed
                // pages are reused) however fast a flood writes.
                if (_clock.GetUtcNow() >= _nextRetention || Writes - _writesAtRetention >= TrimEveryWrites) EnforceRetention();
            }
        }
    }

    /// <summary>
    /// Rows kept per baseline table beyond which the least recently updated are deleted with the retention: the
    /// bounds of <see cref="McpEgress.Detection.Baselines.BaselineLimits.Default"/>, past which a load never reads them.
    /// </summary>
    internal static readonly (string Table, long MaxRows)[] RowCaps =
    [
        ("sinks", McpEgress.Detection.Baselines.BaselineLimits.Default.MaxSinks),
        ("hidden_domains", McpEgress.Detection.Baselines.BaselineLimits.Default.MaxHiddenDomains),
        ("sender_domains", McpEgress.Detection.Baselines.BaselineLimits.Default.MaxSenderDomains),
        ("package_versions", (long)McpEgress.Detection.Baselines.BaselineLimits.Default.MaxPackages * McpEgress.Detection.Baselines.BaselineLimits.Default.MaxVersionsPerPackage),
        ("package_domains", (long)McpEgress.Detection.Baselines.BaselineLimits.Default.MaxPackages * McpEgress.Detection.Baselines.BaselineLimits.Default.MaxDomainsPerPackage),
        ("egress", EgressHistory.MaxRows),
    ];

    /// <summary>
    /// Deletes rows not updated within <see cref="StateOptions.RetentionDays"/>, and baseline rows past
    /// <see cref="RowCaps"/> (least recently updated first); the next run is a day later.
    /// </summary>
    public int EnforceRetention()
    {
        lock (_dbLock)
        {
            _nextRetention = _clock.GetUtcNow().AddDays(1);
            _writesAtRetention = Writes;
            long cutoff = Now - (long)_options.RetentionDays * 86_400;
            int deleted = 0;
            try
            {
                using var tx = _connection.BeginTransaction();
                foreach (var table in Tables)
                {
                    using var cmd = _connection.CreateCommand();
                    cmd.Transaction = tx;
                    cmd.CommandText = $"DELETE FROM {table} WHERE updated_at < $cutoff";
                    cmd.Parameters.AddWithValue("$cutoff", cutoff);
                    deleted += cmd.ExecuteNonQuery();
                }
                foreach (var (table, max) in RowCaps)
                {
                    using var cmd = _connection.CreateCommand();
                    cmd.Transaction = tx;
                    cmd.CommandText = $"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} ORDER BY updated_at DESC LIMIT -1 OFFSET $max)";
                    cmd.Parameters.AddWithValue("$max", max);
                    deleted += cmd.ExecuteNonQuery();
                }
                tx.Commit();
            }
            catch (SqliteException e)
            {
                _log($"warning: state retention in {Path} failed ({Describe(e)})");
            }
            Interlocked.Add(ref _retained, deleted);
            return deleted;
        }
    }

    /// <summary>Commits the queue in batches of at most 8192 writes. Under <see cref="_dbLock"/>.</summary>
    private void Drain()
    {
        var batch = new List<PendingWrite>();
        while (true)
        {
            batch.Clear();
            lock (_queueLock)
                while (_queue.Count > 0 && batch.Count < 8192) batch.Add(_queue.Dequeue());
            if (batch.Count == 0) return;
            try
            {
                using var tx = _connection.BeginTransaction();
                foreach (var w in batch)
                {
                    var cmd = Command(w.Sql, w.Args.Length);
                    cmd.Transaction = tx;
                    for (int i = 0; i < w.Args.Length; i++) cmd.Parameters[i].Value = w.Args[i] ?? DBNull.Value;
                    cmd.ExecuteNonQuery();
                }
                tx.Commit();
                Interlocked.Add(ref _written, batch.Count);
            }
            catch (SqliteException e)
            {
                if (Interlocked.Increment(ref _failures) <= 10)
                    _log($"warning: {batch.Count} state writes to {Path} failed ({Describe(e)}); the run goes on, those rows are not saved");
            }
        }
    }

    private SqliteCommand Command(string sql, int args)
    {
        if (_commands.TryGetValue(sql, out var cmd)) return cmd;
        cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        for (int i = 0; i < args; i++) cmd.Parameters.Add(new SqliteParameter("$a" + i.ToString(CultureInfo.InvariantCulture), null));
        _commands[sql] = cmd;
        return cmd;
    }

    /// <summary>Rows in <paramref name="table"/> (tests, notes).</summary>
    public long Count(string table)
    {
        if (Array.IndexOf(Tables, table) < 0) throw new ArgumentException("unknown table " + table, nameof(table));
        return Read(c => Convert.ToInt64(Scalar(c, $"SELECT COUNT(*) FROM {table}"), CultureInfo.InvariantCulture));
    }

    /// <summary>Commits what is queued, stops the writer and closes the file.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _stop = true;
        _wake.Set();
        _thread.Join(TimeSpan.FromSeconds(10));
        lock (_dbLock)
        {
            Drain();
            _disposed = true;
            foreach (var cmd in _commands.Values) cmd.Dispose();
            _commands.Clear();
            _connection.Dispose();
        }
        _wake.Dispose();
    }

    private readonly record struct PendingWrite(string Sql, object?[] Args);

    private sealed class CorruptStateException(string check) : Exception($"integrity check: {check}");
}
