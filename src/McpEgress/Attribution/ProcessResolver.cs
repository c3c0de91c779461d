using System.IO.Enumeration;
using System.Text;
using McpEgress.Decode;
using McpEgress.Native;

namespace McpEgress.Attribution;

/// <summary>
/// Finds the local process that owns a TCP connection, for attributing a flow seen at SYN time.
/// <para>
/// Step 1: the socket inode of (local, remote) from /proc/net/tcp and /proc/net/tcp6 (either orientation, so an
/// inbound flow also resolves). Step 2: the process holding <c>socket:[inode]</c> among /proc/PID/fd/*. An
/// inode → PID map is kept; on a miss, first only processes not seen before and recently matched ones are
/// scanned (cheap, and exactly what a freshly started MCP server is), then — at most once per
/// <see cref="ProcessResolverOptions.RefreshInterval"/> — every process. Step 3: the process is described
/// (exe, cmdline, user, sender: npm package for Node, PyPI distribution for Python) and cached by (PID, start time).
/// </para>
/// <para>
/// Reading another user's /proc/PID/fd and /proc/PID/exe needs ptrace read access (same uid, or
/// CAP_SYS_PTRACE). Without it the result still has the socket's uid and user name, with a null PID.
/// Never throws for vanished processes or permission errors. Thread-safe (one lock; calls are serialized).
/// </para>
/// <para>
/// /proc/net/tcp shows the reader's network namespace only: processes in other namespaces (containers) are not
/// found unless the daemon runs in theirs.
/// </para>
/// </summary>
public sealed class ProcessResolver
{
    private const int MaxHotPids = 32;
    private static readonly EnumerationOptions EnumerateAll = new()
    {
        IgnoreInaccessible = true, RecurseSubdirectories = false, AttributesToSkip = 0, ReturnSpecialDirectories = false,
    };

    private readonly ProcessResolverOptions _options;
    private readonly UserNameCache _users;
    private readonly SenderIdentityResolver _senders;
    private readonly object _gate = new();
    private readonly byte[] _procRootUtf8;
    private readonly byte[] _readBuffer = new byte[64 * 1024];

    private readonly Dictionary<ulong, int> _pidByInode = new();
    private readonly HashSet<int> _scannedPids = new();
    private readonly List<int> _hotPids = new();
    private readonly Dictionary<int, (ulong StartTime, ProcessInfo Info)> _processes = new();
    private long _lastFullScanMs = long.MinValue / 2; // "long ago" without overflowing now - last

    public ProcessResolver(ProcessResolverOptions? options = null)
    {
        _options = options ?? new ProcessResolverOptions();
        _users = new UserNameCache(_options.PasswdPath);
        _senders = new SenderIdentityResolver(new NodePackageLocator(_options));
        _procRootUtf8 = Encoding.UTF8.GetBytes(_options.ProcRoot.TrimEnd('/'));
    }

    /// <summary>Lookups that found a process.</summary>
    public long Resolved { get; private set; }
    /// <summary>Lookups whose socket was found but not its process (exited, or not readable).</summary>
    public long ProcessNotFound { get; private set; }
    /// <summary>Lookups with no matching socket in /proc/net/tcp{,6} (remote flow, closed, other namespace).</summary>
    public long SocketNotFound { get; private set; }
    public long FullScans { get; private set; }
    public long PartialScans { get; private set; }

    /// <summary>
    /// The process owning the TCP connection between <paramref name="local"/> and <paramref name="remote"/>,
    /// partial info (uid only) when the socket is found but its process is not, or null when there is no such
    /// socket in this network namespace.
    /// </summary>
    /// <param name="allowReverse">
    /// Also accept the socket of the other end (local and remote swapped) when this end has none. Right when the
    /// flow's orientation was guessed (picked up mid-stream); wrong when the client is known from its SYN, because on
    /// loopback the other end is the server's socket, and naming the server as the sender would be a false attribution.
    /// </param>
    public ProcessInfo? Resolve(Endpoint local, Endpoint remote, bool allowReverse = true)
    {
        Span<ProcessInfo?> result = [null];
        ResolveBatch([new SocketQuery(local, remote, allowReverse)], result);
        return result[0];
    }

    /// <summary>
    /// <see cref="Resolve"/> for many connections at the cost of one: /proc/net/tcp (and tcp6, for what tcp did not
    /// answer) is read once for the whole batch, each row matched against every query by a hash lookup.
    /// <paramref name="results"/>[i] answers <paramref name="queries"/>[i] as <see cref="Resolve"/> would.
    /// </summary>
    public void ResolveBatch(ReadOnlySpan<SocketQuery> queries, Span<ProcessInfo?> results)
    {
        if (results.Length < queries.Length) throw new ArgumentException("fewer results than queries", nameof(results));
        lock (_gate)
        {
            var found = FindSockets(queries);
            for (int i = 0; i < queries.Length; i++)
            {
                results[i] = null;
                if (found[i] is not { Inode: not 0 } socket)
                {
                    SocketNotFound++;
                    continue;
                }
                int pid = FindPid(socket.Inode);
                ProcessInfo? info = pid > 0 ? DescribeLocked(pid) : null;
                if (info is null)
                {
                    ProcessNotFound++;
                    results[i] = new ProcessInfo { SocketInode = socket.Inode, Uid = socket.Uid, UserName = _users.Lookup(socket.Uid) };
                    continue;
                }
                Resolved++;
                results[i] = info with { SocketInode = socket.Inode };
            }
        }
    }

    /// <summary>
    /// Maps every process's sockets now (and runs every lookup path once), so that a later lookup only scans processes
    /// started since: a caller racing a short-lived connection cannot afford a first full scan (or JIT) on its path.
    /// </summary>
    public void Prime()
    {
        lock (_gate)
        {
            FindSockets([new SocketQuery(default, default, true)]); // reads /proc/net/tcp{,6}; no such socket
            foreach (int p in EnumeratePids()) ScanPid(p);
            DescribeLocked(Environment.ProcessId);
        }
    }

    /// <summary>Describes one process (exe, cmdline, user, npm package); null when it does not exist.</summary>
    public ProcessInfo? Describe(int pid)
    {
        lock (_gate) return DescribeLocked(pid);
    }

    // ---- step 1: socket inode ----

    /// <summary>Reads of /proc/net/tcp or tcp6 (one per table per batch).</summary>
    public long TableScans { get; private set; }

    // Batch state, reused under _gate: query (local, remote) → first query index, the same reversed for queries that
    // accept the other end's socket, and what each query found (exact beats reversed within one table).
    private readonly Dictionary<(Endpoint, Endpoint), int> _exactQueries = new();
    private readonly Dictionary<(Endpoint, Endpoint), int> _reverseQueries = new();
    private ProcNetTcpEntry?[] _found = new ProcNetTcpEntry?[16];
    private bool[] _foundExact = new bool[16];

    private ProcNetTcpEntry?[] FindSockets(ReadOnlySpan<SocketQuery> queries)
    {
        if (_found.Length < queries.Length)
        {
            _found = new ProcNetTcpEntry?[queries.Length];
            _foundExact = new bool[queries.Length];
        }
        Array.Clear(_found, 0, queries.Length);
        // An IPv4 flow may belong to a dual-stack AF_INET6 socket (listed in tcp6 as ::ffff:a.b.c.d): tcp first, then
        // tcp6 for whatever tcp did not answer (either orientation).
        bool anyV4 = false;
        foreach (var q in queries) anyV4 |= ProcNetTcp.Normalize(q.Local).Address.IsV4;
        if (anyV4 && Prepare(queries, v4Only: true)) ScanTable("net/tcp", queries.Length);
        if (Prepare(queries, v4Only: false)) ScanTable("net/tcp6", queries.Length);
        return _found;
    }

    /// <summary>Fills the lookup tables with the queries still unanswered; false when there are none.</summary>
    private bool Prepare(ReadOnlySpan<SocketQuery> queries, bool v4Only)
    {
        _exactQueries.Clear();
        _reverseQueries.Clear();
        for (int i = 0; i < queries.Length; i++)
        {
            if (_found[i] is not null) continue;
            var local = ProcNetTcp.Normalize(queries[i].Local);
            var remote = ProcNetTcp.Normalize(queries[i].Remote);
            if (v4Only && !local.Address.IsV4) continue;
            _exactQueries.TryAdd((local, remote), i);
            if (queries[i].AllowReverse) _reverseQueries.TryAdd((remote, local), i);
        }
        return _exactQueries.Count > 0;
    }

    private void ScanTable(string table, int count)
    {
        TableScans++;
        Array.Clear(_foundExact, 0, count);
        try
        {
            using var fs = new FileStream(Path.Combine(_options.ProcRoot, table), FileMode.Open, FileAccess.Read,
                FileShare.ReadWrite, bufferSize: 0);
            var buf = _readBuffer;
            int filled = 0;
            while (true)
            {
                int n = fs.Read(buf, filled, buf.Length - filled);
                bool eof = n == 0;
                filled += n;
                int start = 0;
                while (true)
                {
                    int nl = Array.IndexOf(buf, (byte)'\n', start, filled - start);
                    if (nl < 0) { if (eof && start < filled) nl = filled; else break; }
                    if (ProcNetTcp.TryParseLine(buf.AsSpan(start, nl - start), out var e) && e.Inode != 0) Match(e);
                    start = Math.Min(nl + 1, filled);
                }
                if (eof) return;
                if (start == 0 && filled == buf.Length) filled = 0; // a "line" longer than the buffer: drop it
                else { Buffer.BlockCopy(buf, start, buf, 0, filled - start); filled -= start; }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private void Match(in ProcNetTcpEntry e)
    {
        if (_exactQueries.TryGetValue((e.Local, e.Remote), out int i) && !_foundExact[i])
        {
            _found[i] = e;
            _foundExact[i] = true;
        }
        // The other orientation (an inbound connection to this host) is kept as a fallback.
        if (_reverseQueries.TryGetValue((e.Local, e.Remote), out int j) && _found[j] is null) _found[j] = e;
    }

    // ---- step 2: inode → pid ----

    private int FindPid(ulong inode)
    {
        if (_pidByInode.TryGetValue(inode, out int pid) && ProcessExists(pid)) return Hot(pid);

        // Cheap pass: processes never scanned (new since the last scan) and recently matched ones.
        PartialScans++;
        foreach (int hot in _hotPids.ToArray()) ScanPid(hot);
        foreach (int p in EnumeratePids())
            if (!_scannedPids.Contains(p)) ScanPid(p);
        if (_pidByInode.TryGetValue(inode, out pid)) return Hot(pid);

        // Full pass, rate-limited: a long-running process that opened a new socket.
        long now = Environment.TickCount64;
        if (now - _lastFullScanMs < (long)_options.RefreshInterval.TotalMilliseconds) return 0;
        _lastFullScanMs = now;
        FullScans++;
        _pidByInode.Clear();
        _scannedPids.Clear();
        foreach (int p in EnumeratePids()) ScanPid(p);
        return _pidByInode.TryGetValue(inode, out pid) ? Hot(pid) : 0;
    }

    private int Hot(int pid)
    {
        _hotPids.Remove(pid);
        _hotPids.Insert(0, pid);
        if (_hotPids.Count > MaxHotPids) _hotPids.RemoveAt(_hotPids.Count - 1);
        return pid;
    }

    private bool ProcessExists(int pid) => Directory.Exists(Path.Combine(_options.ProcRoot, pid.ToString()));

    private List<int> EnumeratePids()
    {
        var pids = new List<int>();
        try
        {
            var e = new FileSystemEnumerable<int>(_options.ProcRoot,
                (ref FileSystemEntry entry) => int.TryParse(entry.FileName, out int p) ? p : 0, EnumerateAll);
            foreach (int p in e) if (p > 0) pids.Add(p);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        return pids;
    }

    private void ScanPid(int pid)
    {
        _scannedPids.Add(pid);
        Span<byte> path = stackalloc byte[_procRootUtf8.Length + 48];
        Span<byte> target = stackalloc byte[64];
        int prefix = WritePrefix(path, pid, "/fd/"u8);
        if (prefix < 0) return;
        try
        {
            var fds = new FileSystemEnumerable<int>(Encoding.UTF8.GetString(path[..(prefix - 1)]),
                (ref FileSystemEntry entry) => int.TryParse(entry.FileName, out int fd) ? fd : -1, EnumerateAll);
            int count = 0;
            foreach (int fd in fds)
            {
                if (fd < 0) continue;
                if (++count > _options.MaxFdsPerProcess) break;
                if (!fd.TryFormat(path[prefix..], out int w)) continue;
                path[prefix + w] = 0;
                int len = LibC.ReadLink(path[..(prefix + w + 1)], target);
                if (len > 0 && TryParseSocketLink(target[..len], out ulong inode))
                {
                    if (_pidByInode.Count >= _options.MaxCachedSockets) _pidByInode.Clear();
                    _pidByInode.TryAdd(inode, pid); // the first holder wins (forked children share sockets)
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* exited, or not ours */ }
    }

    /// <summary>"socket:[12345]" → 12345.</summary>
    internal static bool TryParseSocketLink(ReadOnlySpan<byte> link, out ulong inode)
    {
        inode = 0;
        if (!link.StartsWith("socket:["u8) || link.Length < 10 || link[^1] != (byte)']') return false;
        foreach (byte c in link[8..^1])
        {
            if (c < (byte)'0' || c > (byte)'9') { inode = 0; return false; }
            inode = inode * 10 + (ulong)(c - '0');
        }
        return true;
    }

    private int WritePrefix(Span<byte> dst, int pid, ReadOnlySpan<byte> suffix)
    {
        _procRootUtf8.CopyTo(dst);
        int i = _procRootUtf8.Length;
        dst[i++] = (byte)'/';
        if (!pid.TryFormat(dst[i..], out int w)) return -1;
        i += w;
        suffix.CopyTo(dst[i..]);
        return i + suffix.Length;
    }

    // ---- step 3: describe ----

    private ProcessInfo? DescribeLocked(int pid)
    {
        string dir = Path.Combine(_options.ProcRoot, pid.ToString());
        ulong? start = ReadStartTime(dir);
        if (start is null) return null;
        if (_processes.TryGetValue(pid, out var cached) && cached.StartTime == start) return cached.Info;

        string? exe = ReadLinkString(Path.Combine(dir, "exe"));
        var (argv, commandLine, truncated) = ReadCommandLine(Path.Combine(dir, "cmdline"));
        uint? uid = ReadEffectiveUid(Path.Combine(dir, "status"));
        var info = new ProcessInfo
        {
            Pid = pid,
            Executable = exe,
            CommandLine = commandLine,
            CommandLineTruncated = truncated,
            Uid = uid,
            UserName = uid is uint u ? _users.Lookup(u) : null,
        };
        if (argv.Count > 0)
        {
            var sender = _senders.Resolve(argv, exe, () => ReadLinkString(Path.Combine(dir, "cwd")));
            info = info with { ScriptPath = sender.ScriptPath, Sender = sender.Identity };
            if (sender.Identity.IsPackage)
                info = info with { PackageName = sender.Identity.Name, PackageVersion = sender.Identity.Version };
        }
        if (_processes.Count >= _options.MaxCachedProcesses) _processes.Clear();
        _processes[pid] = (start.Value, info);
        return info;
    }

    /// <summary>Field 22 of /proc/PID/stat (start time in clock ticks): tells a reused PID from the old one.</summary>
    private static ulong? ReadStartTime(string dir)
    {
        try
        {
            var s = File.ReadAllText(Path.Combine(dir, "stat"));
            int close = s.LastIndexOf(')'); // comm may contain spaces and parentheses
            if (close < 0) return null;
            var rest = s.AsSpan(close + 2);
            // After "pid (comm) " come fields 3.. ; starttime is field 22 → index 19 here.
            int field = 0;
            foreach (var r in rest.Split(' '))
            {
                if (field++ == 19) return ulong.TryParse(rest[r], out ulong v) ? v : null;
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private (List<string> Argv, string? Text, bool Truncated) ReadCommandLine(string path)
    {
        var argv = new List<string>();
        try
        {
            int limit = Math.Max(_options.MaxCommandLineBytes, 16 * 1024);
            var buf = new byte[limit + 1];
            int filled = 0;
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0))
            {
                int n;
                while (filled < buf.Length && (n = fs.Read(buf, filled, buf.Length - filled)) > 0) filled += n;
            }
            var data = buf.AsSpan(0, Math.Min(filled, limit));
            if (data.Length > 0 && data[^1] == 0) data = data[..^1];
            foreach (var r in data.Split((byte)0)) argv.Add(Encoding.UTF8.GetString(data[r]));
            if (filled == 0) return (argv, null, false); // kernel threads, zombies
            int shown = Math.Min(data.Length, _options.MaxCommandLineBytes);
            var text = Encoding.UTF8.GetString(data[..shown]).Replace('\0', ' ');
            return (argv, text, filled > _options.MaxCommandLineBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return (argv, null, false); }
    }

    /// <summary>The effective uid: the second number of the "Uid:" line of /proc/PID/status.</summary>
    private static uint? ReadEffectiveUid(string path)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (!line.StartsWith("Uid:", StringComparison.Ordinal)) continue;
                var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                return parts.Length >= 3 && uint.TryParse(parts[2], out uint uid) ? uid : null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return null;
    }

    private static string? ReadLinkString(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
