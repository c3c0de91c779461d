using McpEgress.Capture;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using McpEgress.Pipeline.Sharding;
using McpEgress.Protocols.Routing;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;

namespace McpEgress.Pipeline;

/// <summary>
/// Decode → reassembly → protocols for a numbered stream of packets: all of a capture's (one worker), or one shard's
/// flows (<see cref="ShardWorker"/>). What the protocols find goes to an <see cref="IProtocolEventSink"/>. Time-driven
/// work (idle flows expiring, parked TLS retrying keys or giving up) is done for every packet of the capture,
/// including the ones another shard owns (<see cref="PassTime"/>), so it happens at the same points whatever the
/// number of shards. Exceptions from a stage stop here and become the anomaly <c>pipeline/internal_error</c>.
/// One thread.
/// </summary>
public sealed class PacketStage
{
    private readonly PacketDecoder _decoder;
    private readonly TcpReassembler _reassembler;
    private readonly ShardOutput? _order;
    private readonly AnomalyCounters _anomalies;
    private long _lastTimestampNs;

    /// <param name="order">A shard's output: told where in the capture each event is emitted; null with one worker.</param>
    public PacketStage(PipelineOptions options, IProtocolEventSink sink, AnomalyCounters anomalies, TlsKeyLog keyLog,
        PipelineStats stats, ShardOutput? order = null)
    {
        _anomalies = anomalies;
        Stats = stats;
        _order = order;
        _decoder = new PacketDecoder(options.Decoder, anomalies);
        Router = new ProtocolRouter(options.Protocols, keyLog, sink, anomalies);
        _reassembler = new TcpReassembler(options.Reassembly, Router, anomalies);
        if (order is not null)
        {
            Router.ParkedTls.Order = order;
            _reassembler.Retiring = order.FlowRetiring;
        }
    }

    public PipelineStats Stats { get; }
    public ProtocolRouter Router { get; }
    public TcpReassembler Reassembler => _reassembler;

    /// <summary>The last internal error's text, for the summary.</summary>
    public string? LastInternalError { get; private set; }

    /// <summary>Processes packet number <paramref name="number"/> (1-based, capture order).</summary>
    public void Process(in CapturedPacket packet, long number)
    {
        Stats.Packets++;
        Stats.Bytes += packet.Data.Length;
        try
        {
            long ts = packet.TimestampNs;
            Expire(ts, number);
            _order?.Enter(number, EmitTag.Packet, flowKeyed: false);
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
            Router.Service(ts);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            InternalError(ex);
        }
    }

    /// <summary>Packet <paramref name="number"/> belongs to another shard: only its time passes here.</summary>
    public void PassTime(long timestampNs, long number)
    {
        try
        {
            Expire(timestampNs, number);
            Router.Service(timestampNs);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            InternalError(ex);
        }
    }

    // Packet time moves first, so idle flows expire before the packet is looked at, on every shard alike.
    private void Expire(long ts, long number)
    {
        _order?.Enter(number, EmitTag.Expire, flowKeyed: true);
        _reassembler.PacketNumber = number;
        _reassembler.AdvanceTime(ts);
        _lastTimestampNs = Math.Max(_lastTimestampNs, ts);
    }

    /// <summary>
    /// Time passes without packets (a live capture that is idle): parked TLS flows retry new keys or give up after their
    /// hold, and idle flows expire, as if a packet with time <paramref name="nowNs"/> had arrived. A time older than
    /// the last packet's is ignored. <paramref name="number"/> orders it among the packets.
    /// </summary>
    public void Tick(long nowNs, long number)
    {
        if (nowNs < _lastTimestampNs) return;
        try
        {
            _order?.Enter(number, EmitTag.TickExpire, flowKeyed: true); // the parking lot names its own phases
            Router.Service(nowNs);
            _order?.Enter(number, EmitTag.TickExpire, flowKeyed: true);
            _reassembler.PacketNumber = number;
            _reassembler.AdvanceTime(nowNs);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            InternalError(ex);
        }
    }

    /// <summary>End of input: flush every flow (their last messages are emitted now), then the parked TLS flows.</summary>
    public void Finish(long number)
    {
        try
        {
            _order?.Enter(number, EmitTag.Expire, flowKeyed: true);
            _reassembler.PacketNumber = number;
            _reassembler.AdvanceTime(_lastTimestampNs);
            _order?.Enter(number, EmitTag.Packet, flowKeyed: true);
            _reassembler.CloseAll(_lastTimestampNs);
            Router.Finish();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            InternalError(ex);
        }
    }

    private void InternalError(Exception ex)
    {
        Stats.InternalErrors++;
        LastInternalError = $"{ex.GetType().Name}: {ex.Message}";
        _anomalies.Report(AnomalyStage.Pipeline, PipelineAnomalies.InternalError);
    }
}
