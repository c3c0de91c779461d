using McpEgress.Attribution;
using McpEgress.Inventory;
using McpEgress.Mail;
using McpEgress.Pipeline;
using McpEgress.Protocols.Routing;
using McpEgress.Reassembly;

namespace McpEgress.Daemon;

/// <summary>
/// Names the local process that opened each flow (<see cref="ProcessFacts"/>: pid, executable, command line, user,
/// and for Node and Python processes the package and its version), without touching /proc on the pipeline thread.
/// <para>
/// At flow open it takes what the <see cref="SynTap"/> resolved at the SYN (a dictionary lookup); otherwise it only
/// enqueues a request to the <see cref="AttributionService"/> and returns. When the protocol stage finds that the
/// flow carries mail (<see cref="OnMailFlow"/>), the request goes ahead of all others. <see cref="Drain"/>, called by
/// the pipeline thread between packets, takes the answers: each open flow's session gets its process (later messages
/// carry it), and <see cref="SenderResolved"/> tells everyone else — the one place a late answer comes out, joined by
/// flow even after the flow closed. Answers are remembered (bounded) so a message emitted after its flow closed
/// (TLS decrypted late) still finds its sender (<see cref="Find"/>).
/// </para>
/// Thread-safe: with several pipeline workers, flows open (and turn out to carry mail) on the worker threads, while
/// <see cref="Drain"/> runs on the daemon's loop and <see cref="Find"/> on the detection thread; one short lock guards
/// the tables (never held across /proc). A flow's session is only touched on the thread that owns the flow: at flow
/// open and in <see cref="OnMailFlow"/> always, from <see cref="Drain"/> only when the loop is the packet thread (one
/// worker, <c>drainOwnsFlows</c>); with several, the detection stage joins late answers by flow id.
/// </summary>
public sealed class ProcessFlowAnnotator : IFlowAnnotator, ISenderSource
{
    private readonly AttributionService _service;
    private readonly FlowProcessCache? _early;
    private readonly ProtocolRouter? _router;
    private readonly bool _drainOwnsFlows;
    private readonly int _maxRemembered;
    private readonly Dictionary<long, TcpFlow> _pending = new();
    private readonly Dictionary<long, ProcessFacts?> _answered = new();
    private readonly Queue<long> _answeredOrder = new();
    private readonly List<AttributionAnswer> _answers = new();
    private readonly Lock _gate = new();

    /// <param name="router">Gets the late answers of open flows (<see cref="ProtocolRouter.SetProcess"/>); null: none.</param>
    /// <param name="maxRemembered">Answers kept for messages emitted after their flow closed. Default 65 536.</param>
    /// <param name="drainOwnsFlows">
    /// <see cref="Drain"/> runs on the thread that owns the flows (one pipeline worker), so it may give open flows their
    /// late answers; false with several workers.
    /// </param>
    public ProcessFlowAnnotator(AttributionService service, FlowProcessCache? early = null, ProtocolRouter? router = null,
        int maxRemembered = 65_536, bool drainOwnsFlows = true)
    {
        _service = service;
        _early = early;
        _router = router;
        _drainOwnsFlows = drainOwnsFlows;
        _maxRemembered = Math.Max(1, maxRemembered);
    }

    /// <summary>Flows attributed, at open or later.</summary>
    public long Annotated { get; private set; }
    /// <summary>Flows whose process came from the SYN tap's cache at flow open.</summary>
    public long EarlyHits { get; private set; }
    /// <summary>Flows attributed after they opened (an answer from the service).</summary>
    public long LateHits { get; private set; }
    /// <summary>Lookups waiting for an answer.</summary>
    public int Pending { get { lock (_gate) return _pending.Count; } }

    /// <summary>
    /// A lookup ended (pipeline thread, from <see cref="Drain"/>): the flow's key and id, and its process (null: none
    /// found). Raised once per looked-up flow, also after the flow closed.
    /// </summary>
    public event Action<FlowKey, long, ProcessFacts?>? SenderResolved;

    public ProcessFacts? Annotate(TcpFlow flow)
    {
        if (Early(flow.Key) is { } info)
        {
            lock (_gate)
            {
                EarlyHits++;
                Annotated++;
            }
            return Describe(info);
        }
        // The client is the sender; only a flow whose orientation was guessed may take the other end's socket.
        lock (_gate)
            if (_service.TryRequest(flow.Key, flow.Id, allowReverse: flow.PickedUpMidStream)) _pending[flow.Id] = flow;
        return null;
    }

    public void OnMailFlow(TcpFlow flow)
    {
        lock (_gate)
        {
            if (_pending.ContainsKey(flow.Id))
            {
                _service.Promote(flow.Id);
                return;
            }
            if (_answered.ContainsKey(flow.Id)) return;
        }
        // Attributed at open from the tap, or its request was dropped (queue full): ask again, as mail, unless the tap knows it now.
        if (Early(flow.Key) is { } info)
        {
            _router?.SetProcess(flow, Describe(info));
            return;
        }
        lock (_gate)
            if (_service.TryRequest(flow.Key, flow.Id, allowReverse: flow.PickedUpMidStream, mail: true)) _pending[flow.Id] = flow;
    }

    /// <summary>Takes the service's answers (pipeline thread, between packets); returns how many.</summary>
    public int Drain()
    {
        _answers.Clear();
        int n = _service.TakeAnswers(_answers);
        foreach (var a in _answers)
        {
            var facts = a.Info is null ? null : Describe(a.Info);
            lock (_gate)
            {
                if (_pending.Remove(a.FlowId, out var flow) && facts is not null && _drainOwnsFlows) _router?.SetProcess(flow, facts);
                if (facts is not null)
                {
                    Annotated++;
                    LateHits++;
                }
                Remember(a.FlowId, facts);
            }
            SenderResolved?.Invoke(a.Key, a.FlowId, facts);
        }
        _answers.Clear();
        return n;
    }

    public SenderState Find(long flowId, out ProcessFacts? process)
    {
        lock (_gate)
        {
            if (_answered.TryGetValue(flowId, out process)) return SenderState.Known;
            process = null;
            return _pending.ContainsKey(flowId) ? SenderState.Pending : SenderState.Unknown;
        }
    }

    private void Remember(long flowId, ProcessFacts? facts)
    {
        while (_answeredOrder.Count >= _maxRemembered && _answeredOrder.TryDequeue(out long old)) _answered.Remove(old);
        if (_answered.TryAdd(flowId, facts)) _answeredOrder.Enqueue(flowId);
    }

    // A flow opened from its SYN-ACK (SYN missed) has its key reversed; the cache is keyed by the SYN's direction.
    private ProcessInfo? Early(FlowKey key) => _early?.Get(key) ?? _early?.Get(new FlowKey(key.Server, key.Client));

    /// <summary>The inventory's servers (swapped in by <see cref="InventoryMonitor"/> after each refresh): a flow of one of them is named after it.</summary>
    public McpServerIndex? McpServers
    {
        get => Volatile.Read(ref _mcpServers);
        set => Volatile.Write(ref _mcpServers, value);
    }
    private McpServerIndex? _mcpServers;

    private ProcessFacts Describe(ProcessInfo info)
    {
        var facts = Facts(info);
        if (McpServers?.Find(facts.Pid, facts.Package) is { } server)
            facts = facts with { McpServer = server.Name, McpClient = server.Client, McpServerInstrumented = server.Instrumented };
        return facts;
    }

    public static ProcessFacts Facts(ProcessInfo info) => new()
    {
        Pid = info.Pid,
        Name = info.Executable is { } exe ? Path.GetFileName(exe) : null,
        Executable = info.Executable,
        CommandLine = info.CommandLine,
        UserId = info.Uid,
        UserName = info.UserName,
        Package = info.PackageName,
        PackageVersion = info.PackageVersion,
    };
}
