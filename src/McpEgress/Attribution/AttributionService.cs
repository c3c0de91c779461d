using McpEgress.Decode;
using McpEgress.Reassembly;

namespace McpEgress.Attribution;

/// <summary>
/// Socket-to-process lookups off the packet path. The pipeline thread only enqueues a request at flow open
/// (<see cref="TryRequest"/>: a short lock, never a wait, never /proc) and takes the answers later
/// (<see cref="TakeAnswers"/>); one background thread does the work, bounded:
/// <list type="bullet">
/// <item>a budget of scans per second (<see cref="AttributionOptions.ScansPerSecond"/>), each scan one read of
/// /proc/net/tcp{,6} answering every waiting lookup at once (<see cref="ProcessResolver.ResolveBatch"/>);</item>
/// <item>no scan at all for a flow whose ends are both foreign addresses (no local socket can exist), for a flow
/// found without a socket a short while ago (negative cache), or one the SYN tap already resolved
/// (<c>early</c>: its answers are joined whenever they arrive before the scan);</item>
/// <item>mail flows first: a request promoted by <see cref="Promote"/> (the protocol stage found SMTP, or TLS to a mail
/// API) is scanned ahead of everything else, from a share of the budget the rest may not use, and has room of its own
/// when the queue is full;</item>
/// <item>a bounded queue: a request beyond <see cref="AttributionOptions.MaxQueue"/> is dropped and counted.</item>
/// </list>
/// Thread-safe.
/// </summary>
public sealed class AttributionService : IDisposable
{
    private sealed class Lookup(FlowKey key, long flowId, bool allowReverse, bool mail)
    {
        public readonly FlowKey Key = key;
        public readonly long FlowId = flowId;
        public readonly bool AllowReverse = allowReverse;
        public bool Mail = mail;       // under _gate
        public bool Answered;          // service thread only
    }

    private readonly ProcessResolver _resolver;
    private readonly AttributionOptions _options;
    private readonly Func<FlowKey, ProcessInfo?>? _early;
    private readonly Func<IpAddress16, bool> _isLocal;
    private readonly Func<long> _nowMs;
    private readonly object _gate = new();

    // Under _gate: requests not yet triaged, promotions, answers not yet taken, and every request not yet answered.
    private readonly Queue<Lookup> _incoming = new();
    private readonly Queue<Lookup> _promotions = new();
    private readonly Queue<AttributionAnswer> _answers = new();
    private readonly Dictionary<long, Lookup> _open = new();
    private int _depth; // accepted and not yet taken by the pipeline
    private bool _stop;

    // Service thread only: lookups waiting for a scan, by class; the negative cache; the token bucket.
    private readonly Queue<Lookup> _mailScan = new();
    private readonly Queue<Lookup> _normalScan = new();
    private readonly Dictionary<FlowKey, long> _negative = new();
    private readonly Queue<(FlowKey Key, long ExpiresMs)> _negativeOrder = new();
    private readonly double _capacity, _reserve;
    private double _tokens;
    private long _lastRefillMs;
    private SocketQuery[] _queries = [];
    private ProcessInfo?[] _results = [];
    private Lookup[] _batch = [];
    private Thread? _thread;

    private long _dropped, _lookups, _scans, _negativeHits, _notLocal, _synTapHits, _process, _socketOnly, _noSocket, _promoted;

    /// <param name="early">Answers found by someone else (the SYN tap), looked up by the flow's key before a scan.</param>
    /// <param name="isLocal">Whether an address is this host's; default: the host's interface addresses (refreshed every
    /// <see cref="AttributionOptions.LocalAddressRefresh"/>) and all of 127.0.0.0/8 and ::1. Tests pass their own.</param>
    /// <param name="nowMs">Monotonic clock in ms (tests pass their own).</param>
    public AttributionService(ProcessResolver resolver, AttributionOptions? options = null, Func<FlowKey, ProcessInfo?>? early = null,
        Func<IpAddress16, bool>? isLocal = null, Func<long>? nowMs = null)
    {
        _resolver = resolver;
        _options = options ?? new AttributionOptions();
        _options.Validate();
        _early = early;
        _nowMs = nowMs ?? (() => Environment.TickCount64);
        _isLocal = isLocal ?? new LocalAddresses(_options.LocalAddressRefresh, _nowMs).Contains;
        _reserve = Math.Max(1, _options.ScansPerSecond / 4.0);
        _capacity = Math.Max(_options.ScansPerSecond, _reserve + 1);
        _tokens = _capacity;
        _lastRefillMs = _nowMs();
    }

    /// <summary>Requests accepted and not yet taken back by the pipeline (waiting, or answered and not taken).</summary>
    public int QueueDepth { get { lock (_gate) return _depth; } }
    /// <summary>Requests refused because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);
    /// <summary>Lookups answered, however.</summary>
    public long Lookups => Interlocked.Read(ref _lookups);
    /// <summary>Batches scanned (each one read of /proc/net/tcp, and of tcp6 for what tcp did not answer).</summary>
    public long Scans => Interlocked.Read(ref _scans);
    /// <summary>Lookups answered from the negative cache.</summary>
    public long NegativeCacheHits => Interlocked.Read(ref _negativeHits);
    /// <summary>Lookups answered without a scan because neither end is this host's.</summary>
    public long NotLocal => Interlocked.Read(ref _notLocal);
    /// <summary>Lookups answered from the SYN tap's cache.</summary>
    public long SynTapHits => Interlocked.Read(ref _synTapHits);
    /// <summary>Lookups whose scan found the process, the socket only, or nothing.</summary>
    public long FoundProcess => Interlocked.Read(ref _process);
    public long FoundSocketOnly => Interlocked.Read(ref _socketOnly);
    public long FoundNoSocket => Interlocked.Read(ref _noSocket);
    /// <summary>Rounds that threw (a bug; counted, not fatal).</summary>
    public long Errors => Interlocked.Read(ref _errors);
    private long _errors;

    /// <summary>Requests promoted as mail flows (or made for one).</summary>
    public long Promoted => Interlocked.Read(ref _promoted);

    /// <summary>Lookups answered, by result (for metrics).</summary>
    public long Count(AttributionResult result) => result switch
    {
        AttributionResult.Process => FoundProcess,
        AttributionResult.SocketOnly => FoundSocketOnly,
        AttributionResult.SynTap => SynTapHits,
        AttributionResult.NoSocket => FoundNoSocket,
        AttributionResult.NotLocal => NotLocal,
        _ => NegativeCacheHits,
    };

    /// <summary>Starts the background thread.</summary>
    public void Start()
    {
        if (_thread is not null) return;
        _thread = new Thread(Loop) { IsBackground = true, Name = "mcp-egress attribution" };
        _thread.Start();
    }

    /// <summary>
    /// Asks who owns flow <paramref name="flowId"/> (<paramref name="key"/>: client → server). Never blocks on /proc.
    /// False when the queue is full (counted in <see cref="Dropped"/>) or the flow already has a request.
    /// </summary>
    /// <param name="allowReverse">The flow's orientation was guessed: the other end's socket may answer.</param>
    /// <param name="mail">The flow is known to carry mail: looked up first, with room beyond the normal bound.</param>
    public bool TryRequest(FlowKey key, long flowId, bool allowReverse, bool mail = false)
    {
        lock (_gate)
        {
            if (_open.TryGetValue(flowId, out var existing))
            {
                if (mail) PromoteLocked(existing);
                return false;
            }
            if (_depth >= _options.MaxQueue + (mail ? _options.MailQueue : 0))
            {
                _dropped++;
                return false;
            }
            var l = new Lookup(key, flowId, allowReverse, mail);
            if (mail) _promoted++;
            _open.Add(flowId, l);
            _incoming.Enqueue(l);
            _depth++;
            if (_incoming.Count == 1) Monitor.Pulse(_gate);
            return true;
        }
    }

    /// <summary>
    /// The flow turned out to carry mail: its waiting request goes ahead of every other. False when it has none
    /// (never asked, dropped, or already answered): then <see cref="TryRequest"/> with <c>mail: true</c> asks anew.
    /// </summary>
    public bool Promote(long flowId)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue(flowId, out var l)) return false;
            PromoteLocked(l);
            return true;
        }
    }

    private void PromoteLocked(Lookup l)
    {
        if (l.Mail) return;
        l.Mail = true;
        _promoted++;
        _promotions.Enqueue(l); // the service moves it to the mail queue
        Monitor.Pulse(_gate);
    }

    /// <summary>Moves every answer ready into <paramref name="into"/> (pipeline thread); returns how many.</summary>
    public int TakeAnswers(List<AttributionAnswer> into)
    {
        if (Volatile.Read(ref _answersReady) == 0) return 0;
        lock (_gate)
        {
            int n = _answers.Count;
            while (_answers.TryDequeue(out var a)) into.Add(a);
            _depth -= n;
            Volatile.Write(ref _answersReady, 0);
            return n;
        }
    }

    private int _answersReady;

    // ---- the service thread ----

    private void Loop()
    {
        _resolver.Prime(); // the first full /proc scan here, not on the first lookup
        while (true)
        {
            int waitMs = 10;
            try { waitMs = Step(); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The resolver does not throw for what it reads; a bug costs a batch (its flows stay unattributed and
                // their messages are judged when the wait ends), never the process.
                Interlocked.Increment(ref _errors);
            }
            lock (_gate)
            {
                if (_stop) return;
                if (_incoming.Count == 0 && _promotions.Count == 0) Monitor.Wait(_gate, waitMs);
                if (_stop) return;
            }
        }
    }

    /// <summary>
    /// One round: triage new requests (SYN tap, not local, negative cache), apply promotions, and scan once if the
    /// budget allows. Returns how long to wait before the next round when nothing new arrives (ms). The thread runs
    /// it in a loop; tests call it directly.
    /// </summary>
    internal int Step()
    {
        List<Lookup>? fresh = null;
        List<Lookup>? promoted = null;
        lock (_gate)
        {
            while (_incoming.TryDequeue(out var l)) (fresh ??= []).Add(l);
            while (_promotions.TryDequeue(out var l)) (promoted ??= []).Add(l);
        }
        if (promoted is not null)
            foreach (var l in promoted)
                if (!l.Answered && (fresh is null || !fresh.Contains(l))) _mailScan.Enqueue(l); // the normal-queue entry is skipped later
        if (fresh is not null)
        {
            long now = _nowMs();
            foreach (var l in fresh) Triage(l, now);
        }
        return ScanIfAllowed();
    }

    private void Triage(Lookup l, long now)
    {
        if (_early is not null && (_early(l.Key) ?? _early(new FlowKey(l.Key.Server, l.Key.Client))) is { } info)
        {
            Answer(l, info, AttributionResult.SynTap);
            return;
        }
        if (!_isLocal(l.Key.Client.Address) && !(l.AllowReverse && _isLocal(l.Key.Server.Address)))
        {
            Answer(l, null, AttributionResult.NotLocal);
            return;
        }
        if (_negative.TryGetValue(l.Key, out long expires) && expires > now)
        {
            Answer(l, null, AttributionResult.NegativeCache);
            return;
        }
        bool mail;
        lock (_gate) mail = l.Mail;
        (mail ? _mailScan : _normalScan).Enqueue(l);
    }

    private int ScanIfAllowed()
    {
        Refill();
        DropAnswered(_mailScan);
        DropAnswered(_normalScan);
        bool mailWaiting = _mailScan.Count > 0, normalWaiting = _normalScan.Count > 0;
        if (!mailWaiting && !normalWaiting) return 1000;
        if (!(mailWaiting ? _tokens >= 1 : _tokens >= 1 + _reserve))
        {
            double need = (mailWaiting ? 1 : 1 + _reserve) - _tokens;
            return Math.Max(1, (int)Math.Ceiling(need * 1000 / _options.ScansPerSecond));
        }
        _tokens -= 1;

        // One batch: mail flows first, then the oldest others, up to MaxBatch.
        int n = 0, max = _options.MaxBatch;
        if (_batch.Length < Math.Min(max, _mailScan.Count + _normalScan.Count))
        {
            int size = Math.Min(max, Math.Max(16, 2 * (_mailScan.Count + _normalScan.Count)));
            _batch = new Lookup[size];
            _queries = new SocketQuery[size];
            _results = new ProcessInfo?[size];
        }
        while (n < max && _mailScan.TryDequeue(out var l)) if (!l.Answered) { l.Answered = true; _batch[n++] = l; }
        while (n < max && _normalScan.TryDequeue(out var l)) if (!l.Answered) { l.Answered = true; _batch[n++] = l; }
        for (int i = 0; i < n; i++) _queries[i] = new SocketQuery(_batch[i].Key.Client, _batch[i].Key.Server, _batch[i].AllowReverse);
        _resolver.ResolveBatch(_queries.AsSpan(0, n), _results.AsSpan(0, n));
        Interlocked.Increment(ref _scans);
        long now = _nowMs();
        for (int i = 0; i < n; i++)
        {
            var info = _results[i];
            var result = info is null ? AttributionResult.NoSocket : info.Pid is null ? AttributionResult.SocketOnly : AttributionResult.Process;
            if (info is null) RememberNoSocket(_batch[i].Key, now);
            _batch[i].Answered = false; // answered for real below
            Answer(_batch[i], info, result);
            _batch[i] = null!;
            _results[i] = null;
        }
        return _mailScan.Count + _normalScan.Count > 0 ? 0 : 1000;
    }

    private static void DropAnswered(Queue<Lookup> q)
    {
        while (q.TryPeek(out var l) && l.Answered) q.Dequeue();
    }

    private void Refill()
    {
        long now = _nowMs();
        long elapsed = now - _lastRefillMs;
        if (elapsed <= 0) return;
        _lastRefillMs = now;
        _tokens = Math.Min(_capacity, _tokens + elapsed * _options.ScansPerSecond / 1000.0);
    }

    private void RememberNoSocket(FlowKey key, long now)
    {
        long ttl = (long)_options.NegativeTtl.TotalMilliseconds;
        if (ttl <= 0) return;
        // One TTL for all: insertion order is expiry order. A key stored again gets a later expiry; its older queue
        // item then finds a newer expiry in the dictionary and leaves it alone.
        while (_negativeOrder.TryPeek(out var head) && (head.ExpiresMs <= now || _negative.Count >= _options.MaxNegativeEntries))
        {
            _negativeOrder.Dequeue();
            if (_negative.TryGetValue(head.Key, out long e) && e == head.ExpiresMs) _negative.Remove(head.Key);
        }
        _negative[key] = now + ttl;
        _negativeOrder.Enqueue((key, now + ttl));
    }

    private void Answer(Lookup l, ProcessInfo? info, AttributionResult result)
    {
        if (l.Answered) return;
        l.Answered = true;
        Interlocked.Increment(ref _lookups);
        switch (result)
        {
            case AttributionResult.Process: Interlocked.Increment(ref _process); break;
            case AttributionResult.SocketOnly: Interlocked.Increment(ref _socketOnly); break;
            case AttributionResult.SynTap: Interlocked.Increment(ref _synTapHits); break;
            case AttributionResult.NoSocket: Interlocked.Increment(ref _noSocket); break;
            case AttributionResult.NotLocal: Interlocked.Increment(ref _notLocal); break;
            default: Interlocked.Increment(ref _negativeHits); break;
        }
        lock (_gate)
        {
            _open.Remove(l.FlowId);
            _answers.Enqueue(new AttributionAnswer(l.Key, l.FlowId, info, result));
            Volatile.Write(ref _answersReady, 1);
        }
    }

    /// <summary>Stops the thread; answers not yet taken stay takeable. Idempotent.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stop = true;
            Monitor.PulseAll(_gate);
        }
        _thread?.Join(5000);
    }
}
