using McpEgress.Capture;
using McpEgress.Detection;
using McpEgress.Diagnostics;
using McpEgress.Export;
using McpEgress.Pipeline.Sharding;
using McpEgress.Protocols.Routing;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;

namespace McpEgress.Pipeline;

/// <summary>
/// Capture → decode → reassembly → protocols → detection → output, for one stream of packets (a replay of files, or a
/// live interface). One thread feeds it (<see cref="Process"/>, <see cref="Tick"/>, <see cref="Finish"/>).
/// <para>With one worker everything runs on that thread: a <see cref="PacketStage"/> whose events go straight to the
/// <see cref="DetectionStage"/>. With several, the feeding thread only reads: flows are sharded across worker threads
/// by a symmetric hash of their 4-tuple, and their events are merged back into capture order before detection
/// (<see cref="ShardedPackets"/>), so the events, alerts and counts are the same for every number of workers.</para>
/// Packets are numbered from 1 in the order given (ticks and the end of input take a number too); a flow's id is the
/// number of the packet that opened it. Exceptions from a stage become the anomaly <c>pipeline/internal_error</c>.
/// </summary>
public sealed class MonitorPipeline : IDisposable
{
    private readonly DetectionStage _detection;
    private readonly PacketStage? _single;
    private readonly ShardedPackets? _sharded;
    private readonly PipelineStats _stats = new();
    private long _number;
    private string? _lastDetectionError;

    /// <param name="workers">Packet workers (threads that own flows); 1: all on the caller's thread.</param>
    public MonitorPipeline(PipelineOptions options, DetectionEngine detection, IEventOutput output,
        AnomalyCounters? anomalies = null, TlsKeyLog? keyLog = null, int workers = 1)
    {
        Options = options;
        Anomalies = anomalies ?? new AnomalyCounters();
        KeyLog = keyLog ?? new TlsKeyLog(options.Protocols.KeyLog, Anomalies);
        _detection = new DetectionStage(detection, output, _stats);
        Workers = Math.Max(1, workers);
        if (Workers == 1)
            _single = new PacketStage(options, _detection, Anomalies, KeyLog, _stats);
        else
            _sharded = new ShardedPackets(Workers, options, Anomalies, KeyLog, _detection, DetectionError);
    }

    public AnomalyCounters Anomalies { get; }
    /// <summary>TLS secrets: --keylog files, pcapng Decryption Secrets Blocks, followed key-log files. Shared by every worker.</summary>
    public TlsKeyLog KeyLog { get; }
    public PipelineOptions Options { get; }
    public int Workers { get; }

    /// <summary>The packet stages: one, or one per worker.</summary>
    public IReadOnlyList<PacketStage> Stages => _single is not null ? [_single] : _sharded!.Workers.Select(w => w.Stage).ToArray();

    /// <summary>
    /// The run's counters: with several workers, their packet counters summed with the detection stage's (exact once
    /// <see cref="Finish"/> returned; a live read sums what each worker counted so far).
    /// </summary>
    public PipelineStats Stats => _single is not null ? _stats : Sum();

    /// <summary>The (first worker's) protocol router; <see cref="ProtocolCounters"/> sums every worker's counters.</summary>
    public ProtocolRouter Router => Stages[0].Router;

    /// <summary>The (first worker's) reassembler; <see cref="FlowsOpened"/>, <see cref="ActiveFlows"/>, <see cref="BufferedBytes"/> sum them all.</summary>
    public TcpReassembler Reassembler => Stages[0].Reassembler;

    /// <summary>Flows by protocol, messages, requests, summed over the workers.</summary>
    public ProtocolCounters ProtocolCounters => _single is not null ? _single.Router.Counters : ProtocolCounters.Sum(Stages.Select(s => s.Router.Counters));

    public long FlowsOpened => Stages.Sum(s => s.Reassembler.FlowsOpened);
    /// <summary>Open flows, all workers (read from any thread: a moment's sum).</summary>
    public int ActiveFlows => Stages.Sum(s => s.Reassembler.ActiveFlows);
    public long BufferedBytes => Stages.Sum(s => s.Reassembler.BufferedBytes);
    public long ParkedTlsBytes => Stages.Sum(s => s.Router.ParkedTls.Bytes);

    /// <summary>Source of per-flow facts (the owning process), called on the worker threads when a flow opens.</summary>
    public IFlowAnnotator? Annotator
    {
        get => Router.Annotator;
        set { foreach (var s in Stages) s.Router.Annotator = value; }
    }

    /// <summary>The rules messages are evaluated with. Replaced by a config reload (any thread): each message is evaluated with one engine.</summary>
    public DetectionEngine Detection
    {
        get => _detection.Detection;
        set => _detection.Detection = value;
    }

    /// <summary>
    /// Holds messages whose sender is still being looked up for the rules that need it (live attribution); null: every
    /// rule judges each message at once. Its late alerts are written after their messages' events. Its calls go
    /// through <see cref="DetectionStage"/> (<see cref="DetectionStage.SenderResolved"/>, <see cref="DetectionStage.ExpireDeferred"/>,
    /// <see cref="DetectionStage.ReleaseDeferred"/>), which serialises them with the detection thread.
    /// </summary>
    public DeferredSenderRules? SenderRules
    {
        get => _detection.SenderRules;
        set => _detection.SenderRules = value;
    }

    /// <summary>Detection → output (the merge thread's side with several workers).</summary>
    public DetectionStage DetectionStage => _detection;

    /// <summary>The last internal error's text, for the summary.</summary>
    public string? LastInternalError => _lastDetectionError ?? Stages.Select(s => s.LastInternalError).LastOrDefault(e => e is not null);

    public void Process(in CapturedPacket packet)
    {
        long number = ++_number;
        if (_single is not null) _single.Process(packet, number);
        else _sharded!.Dispatch(packet, number);
    }

    /// <summary>
    /// Time passes without packets (a live capture that is idle): parked TLS flows retry new keys or give up after their
    /// hold, and idle flows expire, as if a packet with time <paramref name="nowNs"/> had arrived. A time older than
    /// the last packet's is ignored.
    /// </summary>
    public void Tick(long nowNs)
    {
        long number = ++_number;
        if (_single is not null) _single.Tick(nowNs, number);
        else _sharded!.Tick(nowNs, number);
    }

    /// <summary>Hands packets held for a batch to the workers now (a live capture that went quiet). No-op with one worker.</summary>
    public void Flush() => _sharded?.Flush();

    /// <summary>End of input: flush every flow (their last messages are emitted now); with workers, waits for them.</summary>
    public void Finish()
    {
        long number = ++_number;
        if (_single is not null) _single.Finish(number);
        else _sharded!.Finish(number);
    }

    /// <summary>
    /// Wraps a sink of secrets found in the capture (pcapng Decryption Secrets Blocks) so that, with several workers,
    /// every packet before the block is processed before its secrets are added, as with one worker.
    /// </summary>
    public IDecryptionSecretsSink InOrder(IDecryptionSecretsSink secrets) =>
        _sharded is null ? secrets : new QuiescingSecretsSink(_sharded, secrets);

    public void Dispose() => _sharded?.Dispose();

    private void DetectionError(Exception ex)
    {
        _stats.InternalErrors++;
        _lastDetectionError = $"{ex.GetType().Name}: {ex.Message}";
        Anomalies.Report(AnomalyStage.Pipeline, PipelineAnomalies.InternalError);
    }

    private PipelineStats Sum()
    {
        var sum = new PipelineStats
        {
            Messages = _stats.Messages, Alerts = _stats.Alerts, CriticalAlerts = _stats.CriticalAlerts,
            HighAlerts = _stats.HighAlerts, InternalErrors = _stats.InternalErrors, TlsDecrypted = _stats.TlsDecrypted,
            TlsOpaque = _stats.TlsOpaque, MailApiUnreadable = _stats.MailApiUnreadable,
        };
        foreach (var (rule, n) in _stats.AlertsByRule) sum.AlertsByRule[rule] = n;
        foreach (var stage in Stages)
        {
            var s = stage.Stats;
            sum.Packets += s.Packets;
            sum.Bytes += s.Bytes;
            sum.TcpSegments += s.TcpSegments;
            sum.NonTcpPackets += s.NonTcpPackets;
            sum.MalformedPackets += s.MalformedPackets;
            sum.BypassedPackets += s.BypassedPackets;
            sum.BypassedBytes += s.BypassedBytes;
            sum.InternalErrors += s.InternalErrors;
        }
        return sum;
    }

    private sealed class QuiescingSecretsSink(ShardedPackets sharded, IDecryptionSecretsSink inner) : IDecryptionSecretsSink
    {
        public void OnSecrets(uint secretsType, ReadOnlySpan<byte> data)
        {
            sharded.Quiesce();
            inner.OnSecrets(secretsType, data);
        }
    }
}
