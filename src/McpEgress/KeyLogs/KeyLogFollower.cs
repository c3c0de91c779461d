using System.IO.Enumeration;
using System.Text;
using McpEgress.Diagnostics;
using McpEgress.Native;
using McpEgress.Protocols.Tls;
using Microsoft.Win32.SafeHandles;

namespace McpEgress.KeyLogs;

/// <summary>
/// Follows key log files (paths, or globs in the file name such as <c>/run/mcp-egress/keys/*.keys</c>) as
/// TLS clients append to them, feeding new lines into a <see cref="TlsKeyLog"/> so live sessions can decrypt.
/// <list type="bullet">
/// <item>Growth: bytes past the last offset are read (bounded per poll); a line cut mid-write is kept per file
/// until its newline arrives, so lines from different files never mix.</item>
/// <item>Truncation (size below the offset, or the bytes just before the offset changed): read again from 0.</item>
/// <item>Replacement (another inode at the path, e.g. a rename over it): read the new file from 0.</item>
/// <item>New files matching a glob are picked up on the next poll; vanished files are forgotten.</item>
/// </list>
/// Also warns about key logs others can read or write (<see cref="CheckPermissions"/>): a key log holds the
/// secrets of every TLS session it covers. <see cref="Poll"/> is one synchronous pass (tests, startup);
/// <see cref="Start"/> runs passes every <see cref="KeyLogFollowerOptions.PollInterval"/> in the background.
/// </summary>
public sealed class KeyLogFollower : IDisposable
{
    private const int TailCheckBytes = 32;
    private const int MaxWarningsKept = 256;

    private readonly TlsKeyLog _keyLog;
    private readonly string[] _patterns;
    private readonly KeyLogFollowerOptions _options;
    private readonly IAnomalySink? _anomalies;
    private readonly object _pollGate = new();
    private readonly Dictionary<string, FollowedFile> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private readonly List<KeyLogWarning> _warnings = new();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly List<FileSystemWatcher> _watchers = new();
    private CancellationTokenSource? _cts;
    private Task? _loop;
    private long _bytesRead;
    private bool _tooManyReported;

    private sealed class FollowedFile(string path)
    {
        public string Path { get; } = path;
        public ulong Device, Inode;
        public long Offset;
        public byte[] Partial = Array.Empty<byte>();
        public int PartialLength;
        public bool SkippingLongLine;
        public readonly byte[] Tail = new byte[TailCheckBytes];
        public int TailLength;
        public bool Initialized;
    }

    public KeyLogFollower(TlsKeyLog keyLog, IEnumerable<string> pathsOrGlobs, KeyLogFollowerOptions? options = null,
        IAnomalySink? anomalies = null)
    {
        _keyLog = keyLog;
        _patterns = pathsOrGlobs.Select(p => Path.GetFullPath(p)).Distinct(StringComparer.Ordinal).ToArray();
        _options = options ?? new KeyLogFollowerOptions();
        _anomalies = anomalies;
    }

    /// <summary>Raised once per file, inode, mode, owner and problem. Called on the polling thread.</summary>
    public event Action<KeyLogWarning>? Warning;

    /// <summary>Warnings raised so far (the first 256).</summary>
    public IReadOnlyList<KeyLogWarning> Warnings { get { lock (_warnings) return _warnings.ToArray(); } }

    /// <summary>Files currently followed.</summary>
    public IReadOnlyList<string> Files { get { lock (_pollGate) return _files.Keys.Order(StringComparer.Ordinal).ToArray(); } }

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>Starts background polling (and FileSystemWatcher hints). Idempotent.</summary>
    public void Start()
    {
        if (_loop is not null) return;
        _cts = new CancellationTokenSource();
        if (_options.UseFileSystemWatcher) StartWatchers();
        var token = _cts.Token;
        _loop = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                try { Poll(); }
                catch (Exception) { _anomalies?.Report(AnomalyStage.Tls, TlsAnomalies.KeylogFollowError); }
                try { await _wake.WaitAsync(_options.PollInterval, token).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
            }
        });
    }

    public void Dispose()
    {
        _cts?.Cancel();
        try { _loop?.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        foreach (var w in _watchers) w.Dispose();
        _watchers.Clear();
        _cts?.Dispose();
    }

    /// <summary>One pass over every matching file. Returns the number of secrets added to the key log.</summary>
    public int Poll()
    {
        lock (_pollGate)
        {
            var paths = Expand();
            foreach (var gone in _files.Keys.Where(k => !paths.Contains(k)).ToArray()) _files.Remove(gone);
            long budget = _options.MaxBytesPerPoll;
            int added = 0;
            foreach (var path in paths)
            {
                if (!_files.TryGetValue(path, out var f)) _files[path] = f = new FollowedFile(path);
                added += PollFile(f, ref budget);
            }
            return added;
        }
    }

    /// <summary>
    /// Problems with who can read or change a key log: mode bits for group/others (mode &amp; 0o077; group read
    /// is fine when the group is the daemon's own, non-root group), an owner
    /// other than root, the daemon's user or <paramref name="trustedOwnerUids"/>, or a directory others may
    /// write without the sticky bit (the file could be swapped). Empty when fine or unreadable.
    /// </summary>
    public static IReadOnlyList<KeyLogWarning> CheckPermissions(string path, IReadOnlyCollection<uint>? trustedOwnerUids = null)
    {
        if (!LibC.TryStat(path, out var st)) return [];
        return Check(path, st, trustedOwnerUids ?? []);
    }

    private static List<KeyLogWarning> Check(string path, FileStatus st, IReadOnlyCollection<uint> trusted)
    {
        var list = new List<KeyLogWarning>();
        // mode & 0o077: any group/other bit. Group read alone is accepted when the group is the daemon's own
        // (the shared-directory layout: setgid directory of group mcp-egress, files 0640; see src/deploy/README.md).
        int exposed = st.Mode & 0x3F;
        if (st.Gid == LibC.EffectiveGid && st.Gid != 0) exposed &= ~0x20;
        if (exposed != 0)
            list.Add(new KeyLogWarning(path, "keylog_permissions_too_open",
                $"key log {path} has mode {Convert.ToString(st.Permissions, 8).PadLeft(4, '0')}: group/others can read or write the secrets of every TLS session in it; chmod 600"));
        uint me = LibC.EffectiveUid;
        if (st.Uid != 0 && st.Uid != me && !trusted.Contains(st.Uid))
            list.Add(new KeyLogWarning(path, "keylog_foreign_owner",
                $"key log {path} is owned by uid {st.Uid}, not root or the daemon's user (uid {me}): that user can read the secrets and feed fake ones"));
        var dir = Path.GetDirectoryName(path);
        if (dir is not null && LibC.TryStat(dir, out var d) && (d.Mode & 0x2) != 0 && (d.Mode & 0x200) == 0) // o+w, no S_ISVTX
            list.Add(new KeyLogWarning(path, "keylog_directory_writable",
                $"directory {dir} is writable by others without the sticky bit: the key log can be replaced"));
        return list;
    }

    // ---- one file ----

    private int PollFile(FollowedFile f, ref long budget)
    {
        SafeFileHandle handle;
        try { handle = File.OpenHandle(f.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _anomalies?.Report(AnomalyStage.Tls, TlsAnomalies.KeylogUnreadable);
            WarnOnce(f.Path, TlsAnomalies.KeylogUnreadable,
                $"key log {f.Path} cannot be read ({(e is UnauthorizedAccessException ? "permission denied" : e.Message)}); its sessions stay opaque");
            return 0;
        }
        using (handle)
        {
            // fstat of the open handle: the file we will read, even if the path is being replaced right now.
            if (!LibC.TryStat(handle, out var st))
                st = new FileStatus(0, 0, RandomAccess.GetLength(handle), (ushort)File.GetUnixFileMode(handle), LibC.EffectiveUid, 0);

            // Only regular files are read: a device (/dev/zero), FIFO or socket has no size to follow and may never end.
            if ((st.Mode & 0xF000) != 0x8000)
            {
                _anomalies?.Report(AnomalyStage.Tls, TlsAnomalies.KeylogNotRegularFile);
                WarnOnce(f.Path, TlsAnomalies.KeylogNotRegularFile, $"key log {f.Path} is not a regular file (a device, FIFO or socket); not read");
                return 0;
            }
            if (!f.Initialized || st.Inode != f.Inode || st.Device != f.Device)
            {
                if (f.Initialized) _anomalies?.Report(AnomalyStage.Tls, TlsAnomalies.KeylogReplaced);
                Reset(f);
                f.Initialized = true;
                f.Device = st.Device;
                f.Inode = st.Inode;
            }
            else if (st.Size < f.Offset || !TailUnchanged(f, handle))
            {
                _anomalies?.Report(AnomalyStage.Tls, TlsAnomalies.KeylogTruncated);
                Reset(f);
            }
            Warn(f.Path, st);

            int added = 0;
            while (f.Offset < st.Size && budget > 0)
            {
                int want = (int)Math.Min(Math.Min(_buffer.Length, st.Size - f.Offset), budget);
                int n;
                try { n = RandomAccess.Read(handle, _buffer.AsSpan(0, want), f.Offset); }
                catch (IOException) { _anomalies?.Report(AnomalyStage.Tls, TlsAnomalies.KeylogUnreadable); break; }
                if (n <= 0) break;
                f.Offset += n;
                budget -= n;
                Interlocked.Add(ref _bytesRead, n);
                RememberTail(f, _buffer.AsSpan(0, n));
                added += Feed(f, _buffer.AsSpan(0, n));
            }
            return added;
        }
    }

    private static void Reset(FollowedFile f)
    {
        f.Offset = 0;
        f.PartialLength = 0;
        f.SkippingLongLine = false;
        f.TailLength = 0;
    }

    /// <summary>
    /// A file truncated and rewritten past the old size between two polls keeps a size ≥ offset; the bytes just
    /// before the offset tell (key log lines end in random hex, so a rewrite changes them).
    /// </summary>
    private static bool TailUnchanged(FollowedFile f, SafeFileHandle handle)
    {
        if (f.TailLength == 0) return true;
        Span<byte> now = stackalloc byte[TailCheckBytes];
        int n;
        try { n = RandomAccess.Read(handle, now[..f.TailLength], f.Offset - f.TailLength); }
        catch (IOException) { return false; }
        return n == f.TailLength && now[..n].SequenceEqual(f.Tail.AsSpan(0, f.TailLength));
    }

    private static void RememberTail(FollowedFile f, ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length >= TailCheckBytes)
        {
            chunk[^TailCheckBytes..].CopyTo(f.Tail);
            f.TailLength = TailCheckBytes;
            return;
        }
        int keep = Math.Min(f.TailLength, TailCheckBytes - chunk.Length);
        f.Tail.AsSpan(f.TailLength - keep, keep).CopyTo(f.Tail);
        chunk.CopyTo(f.Tail.AsSpan(keep));
        f.TailLength = keep + chunk.Length;
    }

    /// <summary>Passes whole lines to the key log; keeps this file's unfinished last line for the next read.</summary>
    private int Feed(FollowedFile f, ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder();
        while (!data.IsEmpty)
        {
            int nl = data.IndexOf((byte)'\n');
            var piece = nl < 0 ? data : data[..(nl + 1)];
            data = nl < 0 ? default : data[(nl + 1)..];
            if (f.SkippingLongLine)
            {
                if (nl >= 0) f.SkippingLongLine = false;
                continue;
            }
            if (f.PartialLength + piece.Length > _options.MaxLineBytes + 1)
            {
                _anomalies?.Report(AnomalyStage.Tls, TlsAnomalies.KeylogLineTooLong);
                WarnOnce(f.Path, TlsAnomalies.KeylogLineTooLong, $"key log {f.Path} has a line longer than {_options.MaxLineBytes} bytes (not a key log?); such lines are skipped");
                f.PartialLength = 0;
                f.SkippingLongLine = nl < 0;
                continue;
            }
            if (nl < 0)
            {
                if (f.Partial.Length < f.PartialLength + piece.Length)
                    Array.Resize(ref f.Partial, Math.Min(_options.MaxLineBytes + 1, Math.Max(256, (f.PartialLength + piece.Length) * 2)));
                piece.CopyTo(f.Partial.AsSpan(f.PartialLength));
                f.PartialLength += piece.Length;
                break;
            }
            if (f.PartialLength > 0)
            {
                text.Append(Encoding.UTF8.GetString(f.Partial.AsSpan(0, f.PartialLength)));
                f.PartialLength = 0;
            }
            text.Append(Encoding.UTF8.GetString(piece));
        }
        // Only whole lines are passed, so the key log's own partial-line state (shared by every source) stays empty.
        return text.Length == 0 ? 0 : _keyLog.AddText(text.ToString(), complete: false);
    }

    // ---- files, globs, warnings ----

    private SortedSet<string> Expand()
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var pattern in _patterns)
        {
            var dir = Path.GetDirectoryName(pattern);
            var name = Path.GetFileName(pattern);
            if (dir is null || name.Length == 0) continue;
            if (name.AsSpan().IndexOfAny('*', '?') < 0)
            {
                if (File.Exists(pattern)) Add(result, pattern);
                else if (Directory.Exists(pattern))
                {
                    _anomalies?.Report(AnomalyStage.Tls, TlsAnomalies.KeylogNotRegularFile);
                    WarnOnce(pattern, TlsAnomalies.KeylogNotRegularFile, $"key log {pattern} is a directory; use a glob such as {Path.Combine(pattern, "*.keys")}");
                }
                continue;
            }
            try
            {
                foreach (var file in Directory.EnumerateFiles(dir))
                    if (FileSystemName.MatchesSimpleExpression(name, Path.GetFileName(file.AsSpan()), ignoreCase: false))
                        Add(result, file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return result;
    }

    private void Add(SortedSet<string> set, string path)
    {
        if (set.Count < _options.MaxFiles) { set.Add(path); return; }
        if (set.Contains(path) || _tooManyReported) return;
        _tooManyReported = true;
        _anomalies?.Report(AnomalyStage.Tls, TlsAnomalies.KeylogTooManyFiles);
    }

    private void Warn(string path, FileStatus st)
    {
        foreach (var w in Check(path, st, _options.TrustedOwnerUids))
            Raise($"{w.Code}\0{path}\0{st.Inode}\0{st.Mode}\0{st.Uid}", w);
    }

    /// <summary>A problem reading a key log (unreadable, not a file, a line too long): warned once per file and problem.</summary>
    private void WarnOnce(string path, string code, string message) => Raise($"{code}\0{path}", new KeyLogWarning(path, code, message));

    private void Raise(string dedupeKey, KeyLogWarning w)
    {
        if (!_warned.Add(dedupeKey)) return;
        if (_warned.Count > 4 * MaxWarningsKept) _warned.Clear();
        lock (_warnings) if (_warnings.Count < MaxWarningsKept) _warnings.Add(w);
        Warning?.Invoke(w);
    }

    private void StartWatchers()
    {
        foreach (var dir in _patterns.Select(Path.GetDirectoryName).Where(d => d is not null).Distinct(StringComparer.Ordinal))
        {
            try
            {
                var w = new FileSystemWatcher(dir!)
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.LastWrite,
                    IncludeSubdirectories = false,
                };
                FileSystemEventHandler poke = (_, _) => Poke();
                w.Changed += poke;
                w.Created += poke;
                w.Renamed += (_, _) => Poke();
                w.Error += (_, _) => Poke();
                w.EnableRaisingEvents = true;
                _watchers.Add(w);
            }
            catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                // Directory missing or inotify limits reached: polling still finds everything.
            }
        }
    }

    private void Poke()
    {
        try { if (_wake.CurrentCount == 0) _wake.Release(); }
        catch (SemaphoreFullException) { }
        catch (ObjectDisposedException) { }
    }
}
