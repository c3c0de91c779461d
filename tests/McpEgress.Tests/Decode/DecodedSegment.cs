using McpEgress.Capture;
using McpEgress.Decode;

namespace McpEgress.Tests.Decode;

/// <summary>A copied <see cref="TcpSegment"/> plus the decode result, for assertions.</summary>
internal sealed record DecodedSegment(DecodeResult Result, Endpoint Source, Endpoint Destination, uint Sequence, uint Acknowledgment,
    TcpFlags Flags, ushort Window, long TimestampNs, byte[] Payload, int TruncatedPayloadBytes)
{
    public string PayloadText => System.Text.Encoding.ASCII.GetString(Payload);

    public static DecodedSegment Decode(PacketDecoder decoder, LinkType linkType, byte[] data, long timestampNs = 1_000, int? originalLength = null)
    {
        var packet = new CapturedPacket(linkType, timestampNs, originalLength ?? data.Length, 0, data);
        var result = decoder.Decode(packet, out var s);
        return new DecodedSegment(result, s.Source, s.Destination, s.Sequence, s.Acknowledgment, s.Flags, s.Window, s.TimestampNs,
            s.Payload.ToArray(), decoder.TruncatedPayloadBytes);
    }
}
