using System.Diagnostics;
using System.Runtime.InteropServices;
using McpEgress.Attribution;
using McpEgress.Capture;
using McpEgress.Capture.Live;
using McpEgress.Config;
using McpEgress.Detection;
using McpEgress.Detection.Baselines;
using McpEgress.Detection.Egress;
using McpEgress.Export;
using McpEgress.Export.Prometheus;
using McpEgress.KeyLogs;
using McpEgress.Pipeline;

namespace McpEgress.Daemon;

/// <summary>
/// The live composition behind <c>mcp-egress watch</c>: libpcap capture (one thread per interface, a bounded queue)
/// → <see cref="MonitorPipeline"/> fed by one pipeline thread (the caller of <see cref="Run"/>; with
/// <see cref="WatchOptions.Workers"/> above 1 it reads and hands flows to worker threads) → ECS NDJSON events
/// (rotated file or stdout) and Prometheus metrics, with key logs followed as they grow and each flow attributed to
/// its local process.
/// <para>
/// The pipeline thread reads the queue with a timed wait, so when no packet comes it still does the idle work:
/// parked TLS flows retry keys that appeared late (or give up after <see cref="WatchOptions.KeyHoldSeconds"/>),
/// idle flows expire, capture statistics are exported, and the /healthz heartbeat is refreshed. Requests from
/// other threads (signals) only set flags that the pipeline thread acts on between packets: SIGHUP reloads the
/// config and reopens the events file, SIGTERM/SIGINT stop the capture, drain the queue, flush every flow and
/// the events, and make <see cref="Run"/> return.
/// </para>
/// </summary>
public sealed class WatchDaemon : IDisposable
{
    // Longest the loop waits for a packet before it ticks the pipeline (idle work, late attribution answers, deferred
    // rules) and flushes what workers hold. Measured (load-netns.sh, mail-heavy at 200 Mbit/s): the last events of a
    // burst waited for this tick, 200 ms gave a latency max of 227-251 ms, 50 ms 126-175 ms; 20 wake-ups a second idle.
    private static readonly TimeSpan ReadWait = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(10);

    /// <summary>Longest an event waits in the writer's buffer before it is in the events file (<c>watch.output_flush_ms</c>).</summary>
    public TimeSpan EventFlushDelay => TimeSpan.FromMilliseconds(_options.OutputFlushMs);

    private readonly WatchOptions _options;
    private readonly Func<McpEgressConfig>? _reloadConfig;
    private readonly TextWriter _log;
    private readonly EgressMetrics _metrics;
    private readonly List<PosixSignalRegistration> _signals = [];
    private readonly SdNotify _notify = SdNotify.FromEnvironment();
    private Stream? _outStream;
    private EcsEventWriter? _writer;
    private MetricsServer? _server;
    private LiveCapture? _capture;
    private KeyLogFollower? _follower;
    private ProcessResolver? _resolver;
    private ProcessFlowAnnotator? _annotator;
    private AttributionService? _attribution;
    private DeferredSenderRules? _deferred;
    private FlowProcessCache? _earlyProcesses;
    private SynTap? _synTap;
    private InventoryMonitor? _inventory;
    private McpEgress.State.StateDatabase? _state;
    private readonly EgressTracker _egress;
    private long _heartbeat = Stopwatch.GetTimestamp();
    private volatile bool _stopRequested;
    private volatile bool _reloadRequested;
    private volatile bool _running;

    /// <param name="config">The loaded config: its detection policy and stage limits (<see cref="McpEgressConfig.Limits"/>).</param>
    /// <param name="options">The daemon's settings: <see cref="McpEgressConfig.Watch"/> with the command line's flags over it.</param>
    /// <param name="reloadConfig">Loads the config again on SIGHUP (throws <see cref="ConfigException"/>); null: nothing to reload.</param>
    /// <param name="log">Where one-line notices and warnings go (stderr).</param>
    public WatchDaemon(McpEgressConfig config, WatchOptions options, Func<McpEgressConfig>? reloadConfig,
        TextWriter log, EgressMetricsOptions? metricsOptions = null)
    {
        _options = options;
        _reloadConfig = reloadConfig;
        _log = log;
        // The key hold is a watch setting that sets two protocol limits: on a copy, the caller's config stays as loaded.
        Limits = config.Limits.Copy();
        Limits.Protocols.Protocol.ParkedTlsHold = TimeSpan.FromSeconds(options.KeyHoldSeconds);
        Limits.Protocols.Protocol.MaxParkedTlsBytes = options.KeyHoldBytes;
        _metrics = new EgressMetrics(metricsOptions);
        Config = config;
        _egress = new EgressTracker(options.ProcessAttribution ? EgressOptions.Default : new EgressOptions { MaxPendingFlows = 0 });
    }

    /// <summary>The limits the pipeline runs with: the config's, with the watch key hold applied.</summary>
    public PipelineOptions Limits { get; }
    public McpEgressConfig Config { get; private set; }
    public EgressMetrics Metrics => _metrics;
    public MonitorPipeline Pipeline => _pipelineInstance ?? throw new InvalidOperationException("not started");
    private MonitorPipeline? _pipelineInstance;
    private FlowBypassTable? _bypass;

    /// <summary>The metrics endpoint actually bound (port resolved when 0 was asked for).</summary>
    public System.Net.IPEndPoint? MetricsEndPoint => _server?.LocalEndPoint;

    /// <summary>The pipeline thread ran within <see cref="WatchOptions.HealthTimeoutSeconds"/> and has not stopped.</summary>
    public bool IsHealthy =>
        _running && Stopwatch.GetElapsedTime(Interlocked.Read(ref _heartbeat)).TotalSeconds < _options.HealthTimeoutSeconds;

    /// <summary>
    /// Opens the events output, the metrics endpoint, the key-log follower and the capture, in that order; on
    /// failure everything opened so far is closed again.
    /// </summary>
    /// <exception cref="WatchStartupException">Something could not be opened; the message is one line.</exception>
    public void Start()
    {
        try
        {
            OpenOutput();
            var output = new MetricsEventOutput(_writer!, _metrics) { Log = Log, Egress = _egress };
            var writer = _writer!;
            _egress.NewDestinationFound = d =>
            {
                writer.WriteEgressNewDestination(d);
                _metrics.SetMcpServerDestinations(d.Row.Client, d.Row.Server, d.KnownDestinations);
            };
            _metrics.SetEgressOverflowCallback(() => (_egress.ServerOverflow, _egress.DestinationOverflow, _egress.PendingEvicted));
            var baselines = new InMemoryBaselineStore(); // filled from the state file once everything else is open
            var pipeline = new MonitorPipeline(Limits, new DetectionEngine(Config.Detection, baselines), output,
                workers: _options.Workers);
            output.Anomalies = pipeline.Anomalies;
            _pipelineInstance = pipeline;
            _bypass = new FlowBypassTable();
            foreach (var stage in pipeline.Stages) stage.Reassembler.VerdictSink = _bypass; // one table, a writer per worker
            if (_options.ProcessAttribution)
            {
                _resolver = new ProcessResolver();
                var tap = new SynTapOptions();
                _earlyProcesses = new FlowProcessCache(tap.CacheTtl, tap.MaxCacheEntries);
                StartAttribution(pipeline);
            }

            _metrics.AttachAnomalies(pipeline.Anomalies);
            // Read at each scrape from the metrics thread: a moment's sum over the workers.
            _metrics.SetActiveFlowsCallback(() => pipeline.ActiveFlows);
            _metrics.SetBufferedBytesCallback("reassembly", () => pipeline.BufferedBytes);
            _metrics.SetBufferedBytesCallback("tls_parked", () => pipeline.ParkedTlsBytes);
            _metrics.SetBufferedBytesCallback("capture_queue", () => _capture?.QueuedBytes ?? 0);
            _metrics.SetKeylogSecretsCallback(() => pipeline.KeyLog.Count);
            foreach (var iface in _options.Interfaces) _metrics.AddInterface(iface);
            StartMetrics();

            if (_options.KeyLogs.Count > 0)
            {
                _follower = new KeyLogFollower(pipeline.KeyLog, _options.KeyLogs,
                    new KeyLogFollowerOptions { TrustedOwnerUids = _options.KeyLogTrustedUids.ToArray() }, pipeline.Anomalies);
                _follower.Warning += w => Log($"warning: {w.Message}");
                _follower.Poll(); // secrets already written, and permission warnings, before the first packet
                _follower.Start();
            }

            OpenCapture();
            if (_earlyProcesses is not null) OpenSynTap(new SynTapOptions());
            OpenState(baselines); // last of what can fail: a start-up that fails never touches the state file
            StartInventory();
            Interlocked.Exchange(ref _heartbeat, Stopwatch.GetTimestamp());
            _running = true;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>SIGTERM/SIGINT stop (graceful), SIGHUP reloads. Call after <see cref="Start"/>; undone by <see cref="Dispose"/>.</summary>
    public void RegisterSignals()
    {
        Action<PosixSignalContext> stop = ctx => { ctx.Cancel = true; RequestStop(); };
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, stop));
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, stop));
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx => { ctx.Cancel = true; RequestReload(); }));
    }

    /// <summary>Asks the pipeline thread to stop: it drains, flushes and returns from <see cref="Run"/>. Any thread.</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Asks the pipeline thread to reload the config and reopen the events file. Any thread.</summary>
    public void RequestReload() => _reloadRequested = true;

    /// <summary>Config reloads done (successful, failed), for tests.</summary>
    public (long Success, long Failure) Reloads => (_reloadOk, _reloadFailed);
    private long _reloadOk, _reloadFailed;

    /// <summary>
    /// The pipeline loop, on the calling thread, until <see cref="RequestStop"/> or until every interface failed.
    /// Returns true after a requested stop, false when the capture ended on its own (its reason was logged).
    /// </summary>
    public bool Run()
    {
        var capture = _capture ?? throw new InvalidOperationException("not started");
        var pipeline = Pipeline;
        long statsEvery = Stopwatch.Frequency * (long)Math.Max(1, _options.StatsIntervalSeconds * 1000) / 1000;
        long nextStats = Stopwatch.GetTimestamp() + statsEvery;
        long beatEvery = Stopwatch.Frequency / 5;
        long nextBeat = 0;
        bool endedOnItsOwn = false;
        int sinceCheck = 0;
        // systemd (Type=notify): ready once capturing; watchdog pings from this loop, at half the interval, so a
        // stalled pipeline is restarted by systemd just as /healthz turns 503.
        _notify.Send($"READY=1\nSTATUS=capturing on {string.Join(", ", _options.Interfaces)}");
        long watchdogEvery = _notify.WatchdogInterval is { } wd ? (long)(wd.TotalSeconds / 2 * Stopwatch.Frequency) : long.MaxValue;
        long nextWatchdog = 0;

        while (!_stopRequested)
        {
            if (_reloadRequested) Reload();
            if (capture.TryReadPacket(out var packet, ReadWait, out bool timedOut))
            {
                pipeline.Process(packet);
                // With workers, packets go out in batches: a quiet moment sends what is held, so events are not late.
                if (pipeline.Workers > 1 && capture.QueuedPackets == 0) pipeline.Flush();
                if (++sinceCheck < 64) continue;
                // Late attribution answers every 64 packets (and on every idle wait): taking them after each packet
                // contended with the detection thread for its lock on every packet.
                ServiceAttribution();
            }
            else if (!timedOut)
            {
                endedOnItsOwn = true;
                break;
            }
            else
            {
                pipeline.Tick(WallClockNs());
                ServiceAttribution();
            }
            sinceCheck = 0;
            long now = Stopwatch.GetTimestamp();
            if (now >= nextBeat)
            {
                Interlocked.Exchange(ref _heartbeat, now);
                nextBeat = now + beatEvery;
            }
            if (now >= nextWatchdog && watchdogEvery != long.MaxValue)
            {
                _notify.Send("WATCHDOG=1");
                nextWatchdog = now + watchdogEvery;
            }
            if (now >= nextStats)
            {
                ExportCaptureStats();
                nextStats = now + statsEvery;
            }
        }

        Shutdown(endedOnItsOwn);
        return !endedOnItsOwn;
    }

    private void Shutdown(bool endedOnItsOwn)
    {
        _notify.Send("STOPPING=1");
        var capture = _capture!;
        var pipeline = Pipeline;
        capture.Stop(); // joins the capture threads: statistics are final, nothing more is queued
        var started = Stopwatch.GetTimestamp();
        long drained = 0;
        while (Stopwatch.GetElapsedTime(started) < DrainLimit)
        {
            if (capture.TryReadPacket(out var packet, TimeSpan.FromMilliseconds(500), out bool timedOut))
            {
                pipeline.Process(packet);
                ServiceAttribution();
                drained++;
                continue;
            }
            if (!timedOut) break;
        }
        if (capture.QueuedPackets > 0) Log($"stopping: {capture.QueuedPackets} queued packets not processed within {DrainLimit.TotalSeconds} s");
        // Secrets written in the last moments still decrypt what is parked.
        try { _follower?.Poll(); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        pipeline.Finish();
        FinishAttribution();
        ExportCaptureStats();
        _writer?.Flush();
        _running = false;
        if (endedOnItsOwn) Log($"capture ended: {capture.TruncationReason ?? "every interface stopped"}");
        if (_synTap is { } tap)
        {
            tap.Dispose();
            Log($"process attribution: {tap.Syns} SYNs seen by the SYN tap, {tap.Resolved} resolved, {tap.NotLocal} not local (no lookup), {tap.Drops} dropped; "
                + $"{_annotator!.EarlyHits} flows attributed from the tap at flow open");
        }
        if (_attribution is { } at && _annotator is { } a && _deferred is { } d)
            Log($"process attribution off the packet path: {a.LateHits} flows attributed after open; {at.Lookups} lookups "
                + $"({at.FoundProcess} process, {at.FoundSocketOnly} socket only, {at.SynTapHits} SYN tap, {at.FoundNoSocket} no socket, "
                + $"{at.NotLocal} not local, {at.NegativeCacheHits} negative cache), {at.Scans} scans, {at.Promoted} mail flows first, "
                + $"{at.Dropped} dropped (queue full); {d.Deferred} messages waited for their sender ({d.Resolved} resolved, "
                + $"{d.Unresolved} unresolved, {d.Timeouts} timed out), {d.Overflows} not held (table full)");
        if (_egress.NewDestinations + _egress.ServerOverflow + _egress.DestinationOverflow > 0)
            Log($"egress: {_egress.NewDestinations} new MCP server destinations; not kept: {_egress.ServerOverflow} senders, {_egress.DestinationOverflow} destinations past the bounds");
        var s = pipeline.Stats;
        Log($"stopped: {s.Packets} packets ({drained} drained at exit), {s.Messages} messages, {s.Alerts} alerts, {s.TlsDecrypted + s.TlsOpaque} TLS sessions ({s.TlsOpaque} opaque)"
            + (pipeline.Workers > 1 ? $"; {pipeline.Workers} workers owned {string.Join("/", pipeline.Stages.Select(st => st.Stats.Packets))} packets" : ""));
        var cs = capture.GetStats();
        Log($"bypassed: {pipeline.ProtocolCounters.BypassedFlows} flows; {cs.Sum(c => c.BypassedPackets)} packets shed before the queue, {s.BypassedPackets} followed for sequence numbers only; "
            + $"queue drops {cs.Sum(c => c.QueueDrops)} ({cs.Sum(c => c.HighWaterDrops)} of expendable flows, above the high-water mark)");
        if (_writer is { EventsDropped: > 0 } w)
            Log($"warning: {w.EventsDropped} events could not be written ({w.LastWriteError}) and were dropped");
    }

    /// <summary>
    /// Process attribution off the packet path: the <see cref="AttributionService"/> looks flows up on its own thread,
    /// the annotator only enqueues at flow open and takes answers between packets (<see cref="ServiceAttribution"/>),
    /// and messages whose sender is still being looked up wait (bounded) for the rules that need it.
    /// </summary>
    private void StartAttribution(MonitorPipeline pipeline)
    {
        var early = _earlyProcesses!;
        _attribution = new AttributionService(_resolver!, new AttributionOptions
        {
            ScansPerSecond = _options.AttributionScansPerSecond,
            MaxQueue = _options.AttributionQueue,
        }, early: early.Get);
        // Late answers go into open flows' sessions from this loop only when it is the packet thread (one worker); with
        // several, flows belong to the workers and the detection stage joins the answers by flow id.
        _annotator = new ProcessFlowAnnotator(_attribution, early, pipeline.Router, drainOwnsFlows: pipeline.Workers == 1);
        pipeline.Annotator = _annotator; // called on the worker threads
        var deferred = new DeferredSenderRules(_annotator, new DeferredSenderOptions
        {
            Wait = TimeSpan.FromSeconds(_options.SenderWaitSeconds),
            MaxHeld = _options.MaxDeferredMessages,
        });
        _deferred = deferred;
        pipeline.SenderRules = deferred;
        var detection = pipeline.DetectionStage;
        _annotator.SenderResolved += (_, flowId, process) => detection.SenderResolved(flowId, process);
        // Per-server egress joins a flow whose summary went out before its process was known (by flow key).
        _annotator.SenderResolved += (key, _, process) => { if (process is not null) _egress.OnSenderResolved(key, process); };
        var service = _attribution;
        _metrics.SetAttributionSource(() => new AttributionCounts
        {
            QueueDepth = service.QueueDepth,
            Lookups = [.. Enum.GetValues<AttributionResult>().Select(service.Count)],
            Scans = service.Scans,
            Dropped = service.Dropped,
            Deferred = [deferred.Deferred, deferred.Resolved, deferred.Unresolved, deferred.Timeouts, deferred.Overflows],
        });
        _attribution.Start();
    }

    /// <summary>Pipeline thread, between packets: late attribution answers in, messages that waited too long judged.</summary>
    private void ServiceAttribution()
    {
        if (_annotator is null) return;
        _annotator.Drain();
        Pipeline.DetectionStage.ExpireDeferred();
    }

    /// <summary>At stop: lookups under way get a short while to answer, then what still waits is judged without a sender.</summary>
    private void FinishAttribution()
    {
        if (_annotator is null) return;
        var started = Stopwatch.GetTimestamp();
        while (_annotator.Pending > 0 && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(1))
        {
            _annotator.Drain();
            Thread.Sleep(10);
        }
        _annotator.Drain();
        Pipeline.DetectionStage.ReleaseDeferred();
    }

    private void Reload()
    {
        _reloadRequested = false;
        _notify.Send("RELOADING=1");
        try { ReloadNow(); }
        finally { _notify.Send("READY=1"); }
    }

    private void ReloadNow()
    {
        _inventory?.RequestRefresh();
        if (_outStream is RotatingFileStream rotating)
        {
            try { rotating.Reopen(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log($"reload: cannot reopen {rotating.Path}: {e.Message}; still writing to the old file");
            }
        }
        if (_reloadConfig is null)
        {
            _reloadOk++;
            _metrics.OnConfigReload(true);
            Log("reload: no config file; events file reopened");
            return;
        }
        try
        {
            var config = _reloadConfig(); // every section validated; limits and watch settings apply at restart
            string source = config.SourcePath ?? "<config>";
            Pipeline.Detection = new DetectionEngine(config.Detection, Pipeline.Detection.Baselines); // a reload keeps the baselines
            Config = config;
            _reloadOk++;
            _metrics.OnConfigReload(true);
            Log($"reload: config {source} applied (detection policy: {config.Detection.DeniedDomains.Count} denied, "
                + $"{config.Detection.AllowedHiddenDomains.Count} allowed domains; watch and limits changes apply at restart)");
        }
        catch (ConfigException e)
        {
            _reloadFailed++;
            _metrics.OnConfigReload(false);
            Log($"reload failed, keeping the previous config ({e.Errors.Count} error{(e.Errors.Count == 1 ? "" : "s")}):");
            foreach (var error in e.Errors) _log.WriteLine(error.ToString());
            _log.Flush();
        }
    }

    private void ExportCaptureStats()
    {
        if (_capture is null) return;
        long shedPackets = 0, shedBytes = 0;
        foreach (var s in _capture.GetStats())
        {
            _metrics.SetCaptureStats(s.Interface, s.Packets, s.Bytes, s.KernelDrops, s.InterfaceDrops, s.QueueDrops);
            shedPackets += s.BypassedPackets;
            shedBytes += s.BypassedBytes;
        }
        _metrics.SetBypassStats("capture", shedPackets, shedBytes);
        if (_pipelineInstance is { } p)
        {
            _metrics.SetBypassStats("reassembly", p.Stats.BypassedPackets, p.Stats.BypassedBytes);
            var stages = p.Stages;
            for (int i = 0; i < stages.Count; i++) _metrics.SetWorkerPackets(i, stages[i].Stats.Packets);
        }
    }

    private void OpenOutput()
    {
        try
        {
            if (string.IsNullOrEmpty(_options.Output) || _options.Output == "-")
                _outStream = Console.OpenStandardOutput();
            else
            {
                var dir = Path.GetDirectoryName(Path.GetFullPath(_options.Output));
                if (dir is not null && !Directory.Exists(dir))
                    throw new DirectoryNotFoundException($"directory {dir} does not exist");
                _outStream = new RotatingFileStream(_options.Output, _options.RotateBytes, _options.RotateKeep);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WatchStartupException(WatchStartupFailure.Output, $"cannot write events to {_options.Output}: {e.Message}", e);
        }
        // Batched in 64 KiB writes, and never held longer than EventFlushDelay: a tailing shipper sees each event in time.
        _writer = new EcsEventWriter(_outStream, new EcsWriterOptions { MaxFlushDelay = EventFlushDelay });
    }

    private void StartMetrics()
    {
        if (!MetricsServerOptions.TryParse(_options.MetricsListen, out var listen))
            throw new WatchStartupException(WatchStartupFailure.Metrics,
                $"invalid metrics listen address '{_options.MetricsListen}': expected HOST:PORT, e.g. 127.0.0.1:9464");
        _server = new MetricsServer(_metrics.Registry, () => IsHealthy, listen);
        try
        {
            _server.Start();
        }
        catch (MetricsServerException e)
        {
            throw new WatchStartupException(WatchStartupFailure.Metrics, e.Message, e);
        }
    }

    private void OpenCapture()
    {
        var options = new LiveCaptureOptions
        {
            Interfaces = _options.Interfaces,
            Filter = string.IsNullOrWhiteSpace(_options.Filter) ? null : _options.Filter,
            SnapLength = _options.SnapLength,
            BufferBytes = _options.CaptureBufferBytes,
            Promiscuous = _options.Promiscuous,
            ReadTimeoutMs = _options.CaptureLatencyMs,
            QueuePackets = _options.QueuePackets,
            QueueBytes = Math.Max(_options.QueueBytes, _options.SnapLength),
            // Bypassed flows are shed before the queue, and near full only flows that may carry mail are queued.
            Triage = _bypass is { } bypass ? bypass.CreateTriage : null,
        };
        try
        {
            _capture = LiveCapture.Open(options);
        }
        catch (LiveCaptureException e)
        {
            throw new WatchStartupException(WatchStartupFailure.Capture, e.Message, e);
        }
        catch (ArgumentException e)
        {
            throw new WatchStartupException(WatchStartupFailure.Capture, "invalid capture settings: " + e.Message, e);
        }
        foreach (var w in _capture.Warnings) Log("warning: " + w);
    }

    /// <summary>The MCP server inventory (<see cref="InventoryMonitor"/>), on its own thread; the first scan runs there too, so start-up does not wait for it.</summary>
    private void StartInventory()
    {
        var options = Config.Inventory;
        if (!options.Enabled) return;
        _inventory = new InventoryMonitor(options, _writer!, _metrics, () => Pipeline.Detection, Log) { State = _state };
        if (_annotator is { } annotator) _inventory.Refreshed += index => annotator.McpServers = index;
        _inventory.Refreshed += index => _egress.McpServers = index;
        _inventory.Start();
    }

    /// <summary>
    /// The state database (<c>state.path</c>; the watch command fills in its default): baselines and inventory history
    /// that survive restarts. Never fails start-up: a corrupt file is kept aside, an unusable one leaves state in memory.
    /// A SIGHUP keeps the database open (a changed <c>state:</c> section takes effect at the next start).
    /// </summary>
    private void OpenState(InMemoryBaselineStore baselines)
    {
        if (Config.State.Path is not { Length: > 0 } path) return;
        _state = McpEgress.State.StateDatabase.TryOpen(path, Config.State, Log);
        if (_state is not { } state) return;
        McpEgress.State.BaselinePersistence.Load(state, baselines, BaselineLimits.Default, Log);
        _metrics.SetStateWritesDroppedCallback(() => state.DroppedWrites);
        // Per-server egress: destinations seen before this start are not new again; each flow's share is queued behind the pipeline.
        _egress.Load(McpEgress.State.EgressHistory.Load(state, McpEgress.State.EgressHistory.MaxRows, Log));
        foreach (var (client, server, count) in _egress.DestinationCounts()) _metrics.SetMcpServerDestinations(client, server, count);
        _egress.Accounted = row => McpEgress.State.EgressHistory.Record(state, row);
    }

    /// <summary>Per-server egress (every flow summary; new-destination events; persisted with the state).</summary>
    public EgressTracker Egress => _egress;

    /// <summary>The open state database; null when none was configured or it could not be used.</summary>
    public McpEgress.State.StateDatabase? State => _state;

    /// <summary>The inventory monitor, when <c>inventory.enabled</c>.</summary>
    public InventoryMonitor? Inventory => _inventory;

    /// <summary>
    /// The early attribution path (see <see cref="SynTap"/>). Optional: when it cannot open, the daemon still runs
    /// and each flow is attributed when the pipeline opens it, as without the tap.
    /// </summary>
    private void OpenSynTap(SynTapOptions options)
    {
        try
        {
            _synTap = SynTap.Start(_options.Interfaces, string.IsNullOrWhiteSpace(_options.Filter) ? null : _options.Filter,
                options, new ProcessResolver(), _earlyProcesses!);
        }
        catch (Exception e) when (e is LiveCaptureException or ArgumentException)
        {
            Log($"warning: SYN tap not started ({e.Message.ReplaceLineEndings(" ")}); short-lived connections may stay unattributed");
            return;
        }
        foreach (var w in _synTap.Warnings) Log("warning: SYN tap: " + w);
    }

    private static long WallClockNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    private void Log(string line)
    {
        lock (_log)
        {
            _log.WriteLine("mcp-egress: " + line);
            _log.Flush();
        }
    }

    public void Dispose()
    {
        _running = false;
        _notify.Dispose();
        foreach (var s in _signals) s.Dispose();
        _signals.Clear();
        _follower?.Dispose();
        _follower = null;
        _inventory?.Dispose();
        _inventory = null;
        if (_state is { DroppedWrites: > 0 } dropping)
            Log($"warning: {dropping.DroppedWrites} state writes were dropped (queue full) in this run; those baseline updates are not in {dropping.Path}");
        _pipelineInstance?.Dispose(); // a start that failed after the workers started: they end
        _state?.Dispose(); // after the pipeline stopped and the inventory's last scan: commits what is queued
        _state = null;
        _synTap?.Dispose();
        _attribution?.Dispose();
        _capture?.Dispose();
        _server?.Dispose();
        try { _writer?.Dispose(); }
        catch (IOException) { }
        _writer = null;
    }
}
