namespace McpEgress.Capture;

/// <summary>
/// What a pcapng Interface Description Block says about the packets that refer to it (pcapng draft section 4.2).
/// </summary>
/// <param name="TimestampResolution">if_tsresol: bit 7 clear = 10^-n seconds, set = 2^-n seconds. Default 6 (µs).</param>
/// <param name="TimestampOffsetSeconds">if_tsoffset: seconds added to every timestamp.</param>
public readonly record struct PcapNgInterface(LinkType LinkType, uint SnapLength, byte TimestampResolution, long TimestampOffsetSeconds)
{
    /// <summary>Converts a raw 64-bit pcapng timestamp into nanoseconds since the epoch, saturating on overflow.</summary>
    public long ToNanoseconds(ulong timestamp) => PcapNgTimestamp.ToNanoseconds(timestamp, TimestampResolution, TimestampOffsetSeconds);
}
