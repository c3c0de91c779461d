namespace McpEgress.Benchmarks.Generator;

/// <summary>
/// One TCP packet of a flow before it is placed on the wire: its direction, flags, sequence and acknowledgment numbers
/// relative to each side's initial sequence number, and payload. The generator gives it a 4-tuple, ISNs and a time.
/// </summary>
internal readonly record struct FlowPacket(bool FromClient, byte Flags, uint RelSeq, uint RelAck, byte[] Payload)
{
    public const byte Fin = 0x01, Syn = 0x02, Rst = 0x04, Psh = 0x08, Ack = 0x10;
}
