using System.Text;
using McpEgress.Diagnostics;

namespace McpEgress.Protocols.Tls;

/// <summary>
/// Secrets from NSS key log files (SSLKEYLOGFILE; draft-ietf-tls-keylogfile / RFC 9850): lines
/// <c>LABEL &lt;client_random hex&gt; &lt;secret hex&gt;</c>, keyed by the 32-byte ClientHello random.
/// Several sources may be added (files, text, pcapng Decryption Secrets Blocks) and a live follower may add
/// lines while sessions decrypt: all members are thread-safe. <see cref="Version"/> grows on every change so a
/// session waiting for keys knows when to retry.
/// </summary>
public sealed class TlsKeyLog
{
    private readonly TlsKeyLogOptions _options;
    private readonly IAnomalySink? _anomalies;
    private readonly object _gate = new();
    private readonly Dictionary<ClientRandom, byte[]?[]> _entries = new();
    private readonly Queue<ClientRandom> _order = new();
    private long _version;
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

    public int Count { get { lock (_gate) return _entries.Count; } }

    public long MalformedLines => Interlocked.Read(ref _malformedLines);

    /// <summary>Reads a whole key log file. Returns the number of secrets added.</summary>
    public int LoadFile(string path) => AddText(File.ReadAllText(path), complete: true);

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

    /// <summary>Looks up one secret for a 32-byte client random; a copy-free view of the stored bytes.</summary>
    public bool TryGetSecret(ReadOnlySpan<byte> clientRandom, TlsSecretKind kind, out byte[] secret)
    {
        secret = null!;
        if (clientRandom.Length != ClientRandom.Length) return false;
        var key = ClientRandom.From(clientRandom);
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var slots)) return false;
            var s = slots[(int)kind];
            if (s is null) return false;
            secret = s;
            return true;
        }
    }

    public bool Contains(ReadOnlySpan<byte> clientRandom)
    {
        if (clientRandom.Length != ClientRandom.Length) return false;
        var key = ClientRandom.From(clientRandom);
        lock (_gate) return _entries.ContainsKey(key);
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
        var secret = new byte[secretHex.Length / 2];
        if (!TryHex(secretHex, secret)) return Malformed();
        if (kind == TlsSecretKind.MasterSecret && secret.Length != 48) return Malformed();

        var key = ClientRandom.From(random);
        if (!_entries.TryGetValue(key, out var slots))
        {
            if (_entries.Count >= _options.MaxEntries && _order.Count > 0)
            {
                _entries.Remove(_order.Dequeue());
                _anomalies?.Report(AnomalyStage.Tls, "keylog_evicted");
            }
            slots = new byte[]?[8];
            _entries.Add(key, slots);
            _order.Enqueue(key);
        }
        var old = slots[(int)kind];
        if (old is not null && old.AsSpan().SequenceEqual(secret)) return 0; // duplicate line
        slots[(int)kind] = secret;
        return 1;
    }

    private int Malformed()
    {
        Interlocked.Increment(ref _malformedLines);
        _anomalies?.Report(AnomalyStage.Tls, "keylog_malformed_line");
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
