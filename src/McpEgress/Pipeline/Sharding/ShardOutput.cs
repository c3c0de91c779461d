using McpEgress.Mail;
using McpEgress.Protocols.Routing;
using McpEgress.Reassembly;

namespace McpEgress.Pipeline.Sharding;

/// <summary>
/// A shard's protocol-event sink: tags every event with where the shard stands in the capture (<see cref="EmitTag"/>)
/// and queues it in the <see cref="EmissionMerger"/>; the merge thread makes the same call on the real sink. The
/// shard's <see cref="PacketStage"/> says which packet and phase it is in (<see cref="Enter"/>), the reassembler which
/// flow is retiring, the TLS parking lot which parked flow it serves. A new <see cref="IProtocolEventSink"/> member is
/// one more one-line method here.
/// </summary>
public sealed class ShardOutput(int shard, EmissionMerger merger) : IProtocolEventSink, IParkingOrder
{
    private long _number;
    private long _major;
    private long _minor1;
    private long _minor2;
    private bool _flowKeyed;

    public int Shard => shard;

    /// <summary>The shard starts <paramref name="phase"/> of packet (or tick) <paramref name="number"/>.</summary>
    public void Enter(long number, int phase, bool flowKeyed)
    {
        _number = number;
        _major = EmitTag.MajorOf(number, phase);
        _minor1 = _minor2 = 0;
        _flowKeyed = flowKeyed;
    }

    /// <summary>A flow is retired (timed out, closed at the end): in a time-driven phase its events sort by its place in time.</summary>
    public void FlowRetiring(TcpFlow flow)
    {
        if (!_flowKeyed) return;
        _minor1 = flow.OrderStamp;
        _minor2 = 0;
    }

    (long Major, long Minor) IParkingOrder.Stamp() => (_major, _minor1);

    void IParkingOrder.Serving((long Major, long Minor) parkedAt, bool givingUp)
    {
        _major = EmitTag.MajorOf(_number, givingUp ? EmitTag.GiveUp : EmitTag.Retry);
        _minor1 = parkedAt.Major;
        _minor2 = parkedAt.Minor;
    }

    public EmitTag Tag => new(_major, _minor1, _minor2);

    public void OnMessage(MailMessage message) => Emit(message, static (s, o) => s.OnMessage((MailMessage)o));

    public void OnTlsSession(TlsSessionRecord record) => Emit(record, static (s, o) => s.OnTlsSession((TlsSessionRecord)o));

    public void OnMailApiUnreadable(MailApiUnreadableRecord record) =>
        Emit(record, static (s, o) => s.OnMailApiUnreadable((MailApiUnreadableRecord)o));

    public void OnFlowSummary(FlowSummaryRecord record) => Emit(record, static (s, o) => s.OnFlowSummary((FlowSummaryRecord)o));

    private void Emit(object payload, Action<IProtocolEventSink, object> deliver) =>
        merger.Emit(shard, new Emission(Tag, payload, deliver));
}
