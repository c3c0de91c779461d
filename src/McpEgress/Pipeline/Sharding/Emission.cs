using McpEgress.Protocols.Routing;

namespace McpEgress.Pipeline.Sharding;

/// <summary>
/// One event a shard emitted (any <see cref="IProtocolEventSink"/> call), held until the merge hands it on:
/// <see cref="Deliver"/> makes the same call on the real sink. A watermark (<see cref="Payload"/> null) says the shard
/// finished every packet up to <see cref="EmitTag.Number"/>.
/// </summary>
public readonly struct Emission(EmitTag tag, object? payload, Action<IProtocolEventSink, object>? deliver)
{
    public EmitTag Tag { get; } = tag;
    public object? Payload { get; } = payload;
    public Action<IProtocolEventSink, object>? Deliver { get; } = deliver;
    public bool IsWatermark => Payload is null;

    public static Emission Watermark(long number) => new(new EmitTag(EmitTag.MajorOf(number, 7), 0, 0), null, null);
}
