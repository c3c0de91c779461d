using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using McpEgress.Diagnostics;

namespace McpEgress.Protocols.Tls;

/// <summary>
/// Secrets from NSS key log files (SSLKEYLOGFILE; draft-ietf-tls-keylogfile / RFC 9850): lines
/// <c>LABEL &lt;client_random hex&gt; &lt;secret hex&gt;</c>, keyed by the 32-byte ClientHello random.
/// Several sources may be added (files, text, pcapng Decryption Secrets Blocks) and a live follower may add
/// lines while sessions decrypt: all members are thread-safe. <see cref="Version"/> grows on every change so a
/// session waiting for keys knows when to retry.
/// <para>Memory is bounded by <see cref="TlsKeyLogOptions.MaxEntries"/> client randoms, whatever the sources hold:
/// files are streamed (<see cref="LoadFile"/>), never read whole. Past the bound the oldest entry is evicted — but
/// never one a session has asked for (<see cref="Want"/>, called at each ClientHello; up to
/// <see cref="TlsKeyLogOptions.MaxWanted"/>), so junk lines appended to a key log cannot push out the keys of the
/// sessions being decrypted. A replay whose key logs overflow the bound marks the client randoms of its captures as
/// wanted first and loads again (Pipeline.ReplayKeyLogs).</para>
/// <para>Lookups (<see cref="TryGetSecret"/>, <see cref="Contains"/>) take no lock: every packet worker asks at each
/// connection's key change while a follower may be adding lines. Writers are serialized by one lock; an entry's
/// packed secrets are never changed in place (a new array replaces them), so a reader sees a whole old or a whole new
/// entry. <see cref="Want"/> has its own lock, never held while key log text is parsed.</para>
/// </summary>
public sealed class TlsKeyLog
{
    private readonly TlsKeyLogOptions _options;
    private readonly IAnomalySink? _anomalies;
    private readonly Lock _gate = new();
    // Per client random, its secrets packed in one immutable array (see SecretSlots): ~300 bytes held for a TLS 1.3
    // session's five secrets, ~160 for a TLS 1.2 master secret, dictionary and queue slots included. Written under
    // _gate only; read without a lock.
    private readonly ConcurrentDictionary<ClientRandom, byte[]> _entries = new();
    private int _count;
    private readonly Queue<ClientRandom> _order = new();
    // Lock order: _gate, then _wantedGate (eviction checks the wanted set); Want takes _wantedGate alone.
    private readonly Lock _wantedGate = new();
    private readonly HashSet<ClientRandom> _wanted = new();
    private readonly Queue<ClientRandom> _wantedOrder = new();
    private long _version;
    private long _evicted;
    private long _malformedLines;
    // A line cut across AddBytes/AddText calls (e.g. a followed file read mid-line) is kept here.
    private readonly StringBuilder _partialLine = new();

    public TlsKeyLog(TlsKeyLogOptions? options = null, IAnomalySink? anomalies = null)
    {
        _options = options ?? new TlsKeyLogOptions();
        _anomalies = anomalies;
    }

    /// <summary>Grows whenever a secret is added. Cheap to poll.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Raised (outside the lock) after new secrets were added.</summary>
    public event Action<TlsKeyLog>? Changed;

    public int Count => Volatile.Read(ref _count);

    public long MalformedLines => Interlocked.Read(ref _malformedLines);

    /// <summary>Entries evicted to stay within <see cref="TlsKeyLogOptions.MaxEntries"/> (anomaly <c>keylog_evicted</c>).</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>
    /// Marks a client random whose secrets a session needs (or a replay will need): its entry is never evicted while
    /// it is among the last <see cref="TlsKeyLogOptions.MaxWanted"/> wanted (at most half of MaxEntries).
    /// </summary>
    public void Want(ReadOnlySpan<byte> clientRandom)
    {
        if (clientRandom.Length != ClientRandom.Length) return;
        var key = ClientRandom.From(clientRandom);
        int max = Math.Min(_options.MaxWanted, _options.MaxEntries / 2);
        lock (_wantedGate)
        {
            if (max <= 0 || !_wanted.Add(key)) return;
            _wantedOrder.Enqueue(key);
            while (_wanted.Count > max) _wanted.Remove(_wantedOrder.Dequeue());
        }
    }

    /// <summary>Number of client randoms currently marked by <see cref="Want"/>.</summary>
    public int WantedCount { get { lock (_wantedGate) return _wanted.Count; } }

    /// <summary>Forgets every secret (not the wanted client randoms), e.g. before loading the same files again.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            Volatile.Write(ref _count, 0);
            _order.Clear();
            _partialLine.Clear();
        }
    }

    /// <summary>
    /// Streams a key log file (bounded memory whatever its size). Returns the number of secrets added.
    /// </summary>
    /// <exception cref="IOException">
    /// The file cannot be read, is a directory, or a line is longer than <see cref="TlsKeyLogOptions.MaxLineLength"/>
    /// (not a key log: a binary file, <c>/dev/zero</c>); what came before stays added.
    /// </exception>
    /// <exception cref="UnauthorizedAccessException">No permission to read the file.</exception>
    public int LoadFile(string path)
    {
        if (Directory.Exists(path)) throw new IOException("it is a directory");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        return Load(stream);
    }

    /// <summary>Streams key log lines from <paramref name="stream"/>; see <see cref="LoadFile"/>.</summary>
    /// <exception cref="IOException">A read failed or a line is too long.</exception>
    public int Load(Stream stream)
    {
        int max = _options.MaxLineLength + 1; // + a CR before the LF
        var line = new byte[max];
        var chars = new char[max];
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        int lineLength = 0, added = 0;
        long lineNumber = 1;
        try
        {
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                int before = added;
                var data = buffer.AsSpan(0, n);
                lock (_gate)
                {
                    while (!data.IsEmpty)
                    {
                        int nl = data.IndexOf((byte)'\n');
                        var piece = nl < 0 ? data : data[..nl];
                        if (lineLength + piece.Length > max)
                            throw new IOException($"line {lineNumber} is longer than {_options.MaxLineLength} bytes: not a key log");
                        piece.CopyTo(line.AsSpan(lineLength));
                        lineLength += piece.Length;
                        if (nl < 0) break;
                        int c = Encoding.Latin1.GetChars(line.AsSpan(0, lineLength), chars);
                        added += AddLineLocked(chars.AsSpan(0, c));
                        lineLength = 0;
                        lineNumber++;
                        data = data[(nl + 1)..];
                    }
                    if (added > before) Interlocked.Increment(ref _version);
                }
                if (added > before) Changed?.Invoke(this);
            }
            if (lineLength > 0) added += AddText(Encoding.Latin1.GetString(line, 0, lineLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return added;
    }

    /// <summary>Adds UTF-8/ASCII key log bytes (e.g. a pcapng Decryption Secrets Block of type TLSK).</summary>
    public int AddBytes(ReadOnlySpan<byte> utf8, bool complete = true) => AddText(Encoding.UTF8.GetString(utf8), complete);

    public int AddText(string text, bool complete = true) => AddText(text.AsSpan(), complete);

    /// <summary>
    /// Adds key log text. With <paramref name="complete"/> false, a trailing line without a newline is kept
    /// until the next call (for a followed, still-growing file).
    /// </summary>
    public int AddText(ReadOnlySpan<char> text, bool complete = true)
    {
        int added = 0;
        lock (_gate)
        {
            if (_partialLine.Length > 0)
            {
                int nl = text.IndexOf('\n');
                if (nl < 0 && !complete)
                {
                    if (_partialLine.Length + text.Length <= _options.MaxLineLength + 2) _partialLine.Append(text);
                    else { _partialLine.Clear(); _partialLine.Append('!'); } // stays malformed
                    return 0;
                }
                int take = nl < 0 ? text.Length : nl + 1;
                _partialLine.Append(text[..take]);
                added += AddLineLocked(_partialLine.ToString().AsSpan());
                _partialLine.Clear();
                text = text[take..];
            }

            while (!text.IsEmpty)
            {
                int nl = text.IndexOf('\n');
                if (nl < 0)
                {
                    if (complete) added += AddLineLocked(text);
                    else if (text.Length <= _options.MaxLineLength) _partialLine.Append(text);
                    else { _partialLine.Append('!'); }
                    break;
                }
                added += AddLineLocked(text[..nl]);
                text = text[(nl + 1)..];
            }
            if (added > 0) Interlocked.Increment(ref _version);
        }
        if (added > 0) Changed?.Invoke(this);
        return added;
    }

    /// <summary>Looks up one secret for a 32-byte client random (a copy).</summary>
    public bool TryGetSecret(ReadOnlySpan<byte> clientRandom, TlsSecretKind kind, out byte[] secret)
    {
        bool found = TryFindSecret(clientRandom, kind, out var s);
        secret = found ? s.ToArray() : null!;
        return found;
    }

    /// <summary>
    /// Looks up one secret without a lock or a copy: the memory is a slice of the entry's packed array, which is never
    /// written again (a later line for this client random replaces the array), so it stays valid and unchanged.
    /// </summary>
    internal bool TryFindSecret(ReadOnlySpan<byte> clientRandom, TlsSecretKind kind, out ReadOnlyMemory<byte> secret)
    {
        secret = default;
        if (clientRandom.Length != ClientRandom.Length) return false;
        if (!_entries.TryGetValue(ClientRandom.From(clientRandom), out var packed)) return false;
        secret = SecretSlots.FindMemory(packed, kind);
        return !secret.IsEmpty;
    }

    /// <summary>
    /// No secret will be added any more (a replay whose key logs were all read up front and whose captures carry no
    /// Decryption Secrets Block): a session whose client random has no entry can never be decrypted, so it is made
    /// opaque at once instead of holding its ciphertext until the flow ends. Never set while key logs are followed.
    /// </summary>
    public bool Complete { get; set; }

    public bool Contains(ReadOnlySpan<byte> clientRandom)
    {
        if (clientRandom.Length != ClientRandom.Length) return false;
        return _entries.ContainsKey(ClientRandom.From(clientRandom));
    }

    private int AddLineLocked(ReadOnlySpan<char> line)
    {
        line = line.Trim(" \t\r\n\0".AsSpan()); // \0: padding of a pcapng block
        if (line.IsEmpty || line[0] == '#') return 0;
        if (line.Length > _options.MaxLineLength) return Malformed();

        int sp1 = line.IndexOfAny(' ', '\t');
        if (sp1 <= 0) return Malformed();
        var label = line[..sp1];
        var rest = line[(sp1 + 1)..].TrimStart(" \t".AsSpan());
        int sp2 = rest.IndexOfAny(' ', '\t');
        if (sp2 <= 0) return Malformed();
        var randomHex = rest[..sp2];
        var secretHex = rest[(sp2 + 1)..].Trim(" \t".AsSpan());

        TlsSecretKind kind;
        switch (label)
        {
            case "CLIENT_RANDOM": kind = TlsSecretKind.MasterSecret; break;
            case "CLIENT_EARLY_TRAFFIC_SECRET": kind = TlsSecretKind.ClientEarlyTrafficSecret; break;
            case "CLIENT_HANDSHAKE_TRAFFIC_SECRET": kind = TlsSecretKind.ClientHandshakeTrafficSecret; break;
            case "SERVER_HANDSHAKE_TRAFFIC_SECRET": kind = TlsSecretKind.ServerHandshakeTrafficSecret; break;
            case "CLIENT_TRAFFIC_SECRET_0": kind = TlsSecretKind.ClientTrafficSecret0; break;
            case "SERVER_TRAFFIC_SECRET_0": kind = TlsSecretKind.ServerTrafficSecret0; break;
            case "EARLY_EXPORTER_SECRET": kind = TlsSecretKind.EarlyExporterSecret; break;
            case "EXPORTER_SECRET": kind = TlsSecretKind.ExporterSecret; break;
            default:
                // "RSA" lines (encrypted premaster) and future labels are valid key log lines we do not use.
                if (label.SequenceEqual("RSA")) return 0;
                return Malformed();
        }

        Span<byte> random = stackalloc byte[ClientRandom.Length];
        if (randomHex.Length != 64 || !TryHex(randomHex, random)) return Malformed();
        // Secrets are 32..64 bytes (48 for a master secret, hash length for TLS 1.3 secrets).
        if (secretHex.Length % 2 != 0 || secretHex.Length < 32 || secretHex.Length > 128) return Malformed();
        Span<byte> secret = stackalloc byte[secretHex.Length / 2];
        if (!TryHex(secretHex, secret)) return Malformed();
        if (kind == TlsSecretKind.MasterSecret && secret.Length != 48) return Malformed();

        var key = ClientRandom.From(random);
        if (!_entries.TryGetValue(key, out var packed))
        {
            if (_count >= _options.MaxEntries && _order.Count > 0) EvictOneLocked();
            _entries[key] = SecretSlots.With(SecretSlots.Empty, kind, secret);
            Volatile.Write(ref _count, _count + 1);
            _order.Enqueue(key);
            return 1;
        }
        if (SecretSlots.Find(packed, kind).SequenceEqual(secret)) return 0; // duplicate line
        _entries[key] = SecretSlots.With(packed, kind, secret);
        return 1;
    }

    /// <summary>
    /// Evicts the oldest entry nobody wants; wanted ones met on the way go to the back of the queue. Wanted entries
    /// are at most half the table, so this is amortized O(1).
    /// </summary>
    private void EvictOneLocked()
    {
        for (int tries = _order.Count; tries > 0; tries--)
        {
            var oldest = _order.Dequeue();
            bool wanted;
            lock (_wantedGate) wanted = _wanted.Contains(oldest);
            if (tries > 1 && wanted)
            {
                _order.Enqueue(oldest);
                continue;
            }
            _entries.TryRemove(oldest, out _);
            Volatile.Write(ref _count, _count - 1);
            Interlocked.Increment(ref _evicted);
            _anomalies?.Report(AnomalyStage.Tls, TlsAnomalies.KeylogEvicted);
            return;
        }
    }

    private int Malformed()
    {
        Interlocked.Increment(ref _malformedLines);
        _anomalies?.Report(AnomalyStage.Tls, TlsAnomalies.KeylogMalformedLine);
        return 0;
    }

    private static bool TryHex(ReadOnlySpan<char> hex, Span<byte> dest)
    {
        if (hex.Length != dest.Length * 2) return false;
        for (int i = 0; i < dest.Length; i++)
        {
            int hi = HexVal(hex[2 * i]), lo = HexVal(hex[2 * i + 1]);
            if ((hi | lo) < 0) return false;
            dest[i] = (byte)((hi << 4) | lo);
        }
        return true;
    }

    private static int HexVal(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
