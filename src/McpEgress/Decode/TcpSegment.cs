namespace McpEgress.Decode;

/// <summary>
/// A decoded TCP segment: a view over the capture buffer (or over the decoder's fragment buffer), valid
/// until the next packet is decoded.
/// </summary>
public readonly ref struct TcpSegment
{
    public TcpSegment(Endpoint source, Endpoint destination, uint sequence, uint acknowledgment, TcpFlags flags,
        ushort window, long timestampNs, ReadOnlySpan<byte> payload)
    {
        Source = source;
        Destination = destination;
        Sequence = sequence;
        Acknowledgment = acknowledgment;
        Flags = flags;
        Window = window;
        TimestampNs = timestampNs;
        Payload = payload;
    }

    public Endpoint Source { get; }
    public Endpoint Destination { get; }
    public uint Sequence { get; }
    public uint Acknowledgment { get; }
    public TcpFlags Flags { get; }
    public ushort Window { get; }
    public long TimestampNs { get; }
    public ReadOnlySpan<byte> Payload { get; }
}
