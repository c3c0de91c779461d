using McpEgress.Capture;
using McpEgress.Decode;
using McpEgress.Detection;
using McpEgress.Diagnostics;
using McpEgress.Export;
using McpEgress.Mail;
using McpEgress.Protocols.Routing;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;

namespace McpEgress.Pipeline;

/// <summary>
/// Capture → decode → reassembly → protocols → detection → output, for one stream of packets (a replay of files, or a
/// live interface). Not thread-safe: one thread feeds it. Exceptions from a stage stop here and become the counted
/// anomaly <c>pipeline/internal_error</c>, so one bad packet never ends a run.
/// </summary>
public sealed class MonitorPipeline : IProtocolEventSink
{
    private readonly PipelineOptions _options;
    private DetectionEngine _detection;
    private readonly IEventOutput _output;
    private readonly PacketDecoder _decoder;
    private readonly TcpReassembler _reassembler;
    private long _nextIdleCheckNs;
    private long _lastTimestampNs;

    public MonitorPipeline(PipelineOptions options, DetectionEngine detection, IEventOutput output,
        AnomalyCounters? anomalies = null, TlsKeyLog? keyLog = null)
    {
        _options = options;
        _detection = detection;
        _output = output;
        Anomalies = anomalies ?? new AnomalyCounters();
        _decoder = new PacketDecoder(options.Decoder, Anomalies);
        KeyLog = keyLog ?? new TlsKeyLog(options.Protocols.KeyLog, Anomalies);
        Router = new ProtocolRouter(options.Protocols, KeyLog, this, Anomalies);
        _reassembler = new TcpReassembler(options.Reassembly, Router, Anomalies);
    }

    public AnomalyCounters Anomalies { get; }
    /// <summary>TLS secrets: --keylog files, pcapng Decryption Secrets Blocks, followed key-log files.</summary>
    public TlsKeyLog KeyLog { get; }
    public PipelineOptions Options => _options;
    public PipelineStats Stats { get; } = new();
    public ProtocolRouter Router { get; }
    public TcpReassembler Reassembler => _reassembler;

    /// <summary>
    /// The rules messages are evaluated with. Replaced by a config reload; set it on the thread that feeds the
    /// pipeline (between packets), so a message is never evaluated half with old and half with new rules.
    /// </summary>
    public DetectionEngine Detection
    {
        get => _detection;
        set => _detection = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The last internal error's text, for the summary.</summary>
    public string? LastInternalError { get; private set; }

    public void Process(in CapturedPacket packet)
    {
        Stats.Packets++;
        Stats.Bytes += packet.Data.Length;
        try
        {
            switch (_decoder.Decode(packet, out var segment))
            {
                case DecodeResult.Tcp:
                    Stats.TcpSegments++;
                    long bypassed = _reassembler.BypassedSegments;
                    _reassembler.Process(segment);
                    if (_reassembler.BypassedSegments != bypassed)
                    {
                        Stats.BypassedPackets++;
                        Stats.BypassedBytes += packet.Data.Length;
                    }
                    break;
                case DecodeResult.NotTcp:
                case DecodeResult.FragmentHeld:
                    Stats.NonTcpPackets++;
                    break;
                default:
                    Stats.MalformedPackets++;
                    break;
            }
            _lastTimestampNs = Math.Max(_lastTimestampNs, packet.TimestampNs);
            Router.Service(packet.TimestampNs);
            if (packet.TimestampNs >= _nextIdleCheckNs)
            {
                _reassembler.AdvanceTime(packet.TimestampNs);
                _nextIdleCheckNs = packet.TimestampNs + _options.IdleCheckIntervalNs;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            InternalError(ex);
        }
    }

    /// <summary>
    /// Time passes without packets (a live capture that is idle): parked TLS flows retry new keys or give up after their
    /// hold, and idle flows expire, as if a packet with time <paramref name="nowNs"/> had arrived. A time older than
    /// the last packet's is ignored.
    /// </summary>
    public void Tick(long nowNs)
    {
        if (nowNs < _lastTimestampNs) return;
        try
        {
            Router.Service(nowNs);
            if (nowNs >= _nextIdleCheckNs)
            {
                _reassembler.AdvanceTime(nowNs);
                _nextIdleCheckNs = nowNs + _options.IdleCheckIntervalNs;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            InternalError(ex);
        }
    }

    /// <summary>End of input: flush every flow (their last messages are emitted now).</summary>
    public void Finish()
    {
        try
        {
            _reassembler.CloseAll(_lastTimestampNs);
            Router.Finish();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            InternalError(ex);
        }
    }

    void IMailMessageSink.OnMessage(MailMessage message)
    {
        var alerts = _detection.Evaluate(message);
        Stats.Messages++;
        foreach (var a in alerts)
        {
            Stats.Alerts++;
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Stats.AlertsByRule, a.RuleId, out _)++;
            if (a.Severity == Severity.Critical) Stats.CriticalAlerts++;
            else if (a.Severity == Severity.High) Stats.HighAlerts++;
        }
        _output.OnMessage(message, alerts);
    }

    void IProtocolEventSink.OnTlsSession(TlsSessionRecord record)
    {
        if (record.Info.Decrypted) Stats.TlsDecrypted++;
        else Stats.TlsOpaque++;
        _output.OnTlsSession(record);
    }

    void IProtocolEventSink.OnMailApiUnreadable(MailApiUnreadableRecord record)
    {
        Stats.MailApiUnreadable++;
        _output.OnMailApiUnreadable(record);
    }

    private void InternalError(Exception ex)
    {
        Stats.InternalErrors++;
        LastInternalError = $"{ex.GetType().Name}: {ex.Message}";
        Anomalies.Report(AnomalyStage.Pipeline, PipelineAnomalies.InternalError);
    }
}
