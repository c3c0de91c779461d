using McpEgress.Attribution;
using McpEgress.Capture;
using McpEgress.Capture.Live;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using McpEgress.Reassembly;

namespace McpEgress.Daemon;

/// <summary>
/// Attributes connections at their SYN, microseconds after connect(), while the socket certainly exists. The main
/// capture hands packets over in blocks (up to <c>capture_latency_ms</c>, plus queueing), and a one-shot client on
/// loopback (swaks: ~5 ms from connect to close) is gone from /proc by the time the pipeline opens its flow.
/// <para>
/// Its own libpcap handles (one per interface, immediate mode, small ring and snap length) see only client SYNs
/// (SYN without ACK; rare packets, so immediate mode's one-frame-per-packet ring is no drop risk) that also match the
/// user's filter. One thread decodes them with its own <see cref="PacketDecoder"/>, resolves the client with its own
/// <see cref="ProcessResolver"/> (never the pipeline's: a full /proc scan here must not hold up the pipeline) and
/// stores the answer in a <see cref="FlowProcessCache"/> that <see cref="ProcessFlowAnnotator"/> reads first. It never
/// touches the main capture's queue: when it falls behind, only its own queue and kernel ring drop.
/// </para>
/// </summary>
public sealed class SynTap : IDisposable
{
    /// <summary>
    /// Client SYNs: SYN set, ACK clear. libpcap's <c>tcp[]</c> matches IPv4 only, so IPv6 is matched by offset when
    /// TCP directly follows the fixed header (next header 6, flags at 40 + 13); SYNs behind IPv6 extension headers are
    /// not seen here and are attributed late.
    /// </summary>
    public const string SynFilter = "(tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn or (ip6[6] == 6 and ip6[53] & 0x12 == 0x02))";

    private static readonly TimeSpan ReadWait = TimeSpan.FromMilliseconds(500);

    private readonly LiveCapture? _capture;
    private readonly ProcessResolver _resolver;
    private readonly FlowProcessCache _cache;
    private readonly Func<IpAddress16, bool> _isLocal;
    private readonly PacketDecoder _decoder = new(DecoderOptions.Default, new AnomalyCounters());
    private Thread? _thread;
    private long _syns, _resolved, _unresolved, _notLocal, _errors, _maxLagUs, _lastLagUs;
    private bool _disposed;

    /// <param name="capture">Null in tests that hand SYNs to <see cref="Handle"/> themselves.</param>
    /// <param name="isLocal">Whether an address is this host's (default: <see cref="LocalAddresses"/>, read every <see cref="LocalAddresses.DefaultRefresh"/>).</param>
    internal SynTap(LiveCapture? capture, ProcessResolver resolver, FlowProcessCache cache, Func<IpAddress16, bool>? isLocal = null)
    {
        _capture = capture;
        _resolver = resolver;
        _cache = cache;
        _isLocal = isLocal ?? new LocalAddresses(LocalAddresses.DefaultRefresh).Contains;
    }

    /// <summary>
    /// Opens the tap's handles on <paramref name="interfaces"/> with <see cref="SynFilter"/> AND
    /// <paramref name="userFilter"/> and starts its thread. Throws <see cref="LiveCaptureException"/> (or
    /// <see cref="ArgumentException"/> for bad options) when it cannot open; nothing stays open then.
    /// </summary>
    public static SynTap Start(IReadOnlyList<string> interfaces, string? userFilter, SynTapOptions options,
        ProcessResolver resolver, FlowProcessCache cache)
    {
        options.Validate();
        resolver.Prime();
        var capture = LiveCapture.Open(new LiveCaptureOptions
        {
            Interfaces = interfaces,
            Filter = CombineFilter(userFilter),
            SnapLength = options.SnapLength,
            BufferBytes = options.BufferBytes,
            ImmediateMode = true,
            QueuePackets = options.QueuePackets,
            QueueBytes = (long)options.QueuePackets * options.SnapLength,
            ReadTimeoutMs = 100,
        });
        var tap = new SynTap(capture, resolver, cache);
        tap.Warm();
        tap._thread = new Thread(tap.Loop) { IsBackground = true, Name = "mcp-egress syn tap" };
        tap._thread.Start();
        return tap;
    }

    /// <summary>The filter the tap's handles use: client SYNs that also match the user's filter.</summary>
    public static string CombineFilter(string? userFilter) =>
        string.IsNullOrWhiteSpace(userFilter) ? SynFilter : $"{SynFilter} and ({userFilter})";

    /// <summary>Client SYNs decoded.</summary>
    public long Syns => Volatile.Read(ref _syns);
    /// <summary>SYNs whose socket was found (with or without its process) and stored in the cache.</summary>
    public long Resolved => Volatile.Read(ref _resolved);
    /// <summary>SYNs with no local socket (a connection from another host, another network namespace, or already gone).</summary>
    public long Unresolved => Volatile.Read(ref _unresolved);
    /// <summary>
    /// SYNs whose client address is not this host's (forwarded or container traffic, a replay, a flood of made-up
    /// sources): no socket of this host can own them, so they cost no /proc lookup.
    /// </summary>
    public long NotLocal => Volatile.Read(ref _notLocal);

    /// <summary>Longest time from a SYN's capture timestamp to the end of its lookup, in microseconds (for tests and logs).</summary>
    public long MaxLagMicroseconds => Volatile.Read(ref _maxLagUs);
    /// <summary>The same for the last SYN.</summary>
    public long LastLagMicroseconds => Volatile.Read(ref _lastLagUs);

    /// <summary>SYNs whose handling threw (a bug; counted, not fatal).</summary>
    public long Errors => Volatile.Read(ref _errors);

    /// <summary>Kernel, interface and queue drops of the tap's own handles, summed over interfaces.</summary>
    public long Drops => _capture is null ? 0 : _capture.GetStats().Sum(s => s.KernelDrops + s.InterfaceDrops + s.QueueDrops);

    public IReadOnlyList<string> Warnings => _capture.Warnings;

    private void Loop()
    {
        while (true)
        {
            if (!_capture!.TryReadPacket(out var packet, ReadWait, out bool timedOut))
            {
                if (timedOut) continue;
                return; // stopped, or every interface failed: attribution falls back to the pipeline's own lookups
            }
            try
            {
                // Every SYN already queued joins this one: one /proc scan answers them all, so a flood of connections
                // costs the tap one scan per batch, not one per SYN, and it keeps up.
                Collect(packet);
                while (_batch.Count < MaxBatch && _capture.TryReadPacket(out packet, TimeSpan.Zero, out _)) Collect(packet);
                ResolveBatch();
            }
            catch (Exception)
            {
                // The resolver and decoder do not throw for what they read; this is a safety net so a bug costs one
                // batch of SYNs (late attribution for those flows) and never the process, which an escaping exception would end.
                Interlocked.Increment(ref _errors);
                _batch.Clear();
            }
        }
    }

    private const int MaxBatch = 1024;
    private readonly List<(FlowKey Key, long TimestampNs)> _batch = new();
    private readonly SocketQuery[] _queries = new SocketQuery[MaxBatch];
    private readonly ProcessInfo?[] _results = new ProcessInfo?[MaxBatch];

    /// <summary>
    /// Runs one made-up SYN (raw IPv4, 127.0.0.1:1 → 127.0.0.1:1, no such socket) through <see cref="Handle"/> at start-up,
    /// so JIT and first-use costs are paid now and not on the first real SYN, which a client living a few
    /// milliseconds (swaks on loopback) would otherwise outlive. Counters are reset afterwards.
    /// </summary>
    private void Warm()
    {
        Span<byte> syn = stackalloc byte[40];
        syn.Clear();
        syn[0] = 0x45;                                              // IPv4, 20-byte header
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(syn[2..], 40);
        syn[8] = 64; syn[9] = 6;                                    // TTL, TCP
        syn[12] = 127; syn[15] = 1; syn[16] = 127; syn[19] = 1;     // 127.0.0.1 -> 127.0.0.1
        syn[21] = 1; syn[23] = 1;                                   // ports 1 -> 1
        syn[32] = 0x50; syn[33] = (byte)TcpFlags.Syn;               // data offset 5, SYN
        Handle(new CapturedPacket(LinkType.Raw, 0, syn.Length, 0, syn));
        Volatile.Write(ref _syns, 0);
        Volatile.Write(ref _resolved, 0);
        Volatile.Write(ref _unresolved, 0);
        Volatile.Write(ref _notLocal, 0);
        Volatile.Write(ref _maxLagUs, 0);
        Volatile.Write(ref _lastLagUs, 0);
    }

    internal void Handle(in CapturedPacket packet)
    {
        Collect(packet);
        ResolveBatch();
    }

    private void Collect(in CapturedPacket packet)
    {
        if (_decoder.Decode(packet, out var segment) != DecodeResult.Tcp) return;
        if ((segment.Flags & (TcpFlags.Syn | TcpFlags.Ack)) != TcpFlags.Syn) return;
        Interlocked.Increment(ref _syns);
        var key = new FlowKey(segment.Source, segment.Destination);
        if (!_isLocal(segment.Source.Address))
        {
            // Measured (load-netns.sh, 12,686 replayed SYNs in 2.3 s): looking each one up cost the tap ~20% of two cores.
            Interlocked.Increment(ref _notLocal);
            _cache.Remove(key); // as for a SYN without a socket: nothing stored for this 4-tuple is its process
            return;
        }
        _batch.Add((key, packet.TimestampNs));
    }

    private void ResolveBatch()
    {
        int n = _batch.Count;
        if (n == 0) return;
        for (int i = 0; i < n; i++) _queries[i] = new SocketQuery(_batch[i].Key.Client, _batch[i].Key.Server, AllowReverse: false); // the SYN names the sender
        _resolver.ResolveBatch(_queries.AsSpan(0, n), _results.AsSpan(0, n));
        long nowNs = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        for (int i = 0; i < n; i++)
        {
            var (key, timestampNs) = _batch[i];
            var info = _results[i];
            _results[i] = null;
            long lagUs = (nowNs - timestampNs) / 1000;
            if (lagUs > Volatile.Read(ref _maxLagUs)) Volatile.Write(ref _maxLagUs, lagUs);
            Volatile.Write(ref _lastLagUs, lagUs);
            if (info is null)
            {
                Interlocked.Increment(ref _unresolved);
                _cache.Remove(key); // whatever is stored belongs to an older connection on this 4-tuple
                continue;
            }
            Interlocked.Increment(ref _resolved);
            _cache.Set(key, info);
        }
        _batch.Clear();
    }

    /// <summary>Stops the tap's capture and thread and closes its handles. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _capture?.Stop();
        _thread?.Join(5000);
        _capture?.Dispose();
    }
}
