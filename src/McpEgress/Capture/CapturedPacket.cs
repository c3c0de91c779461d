namespace McpEgress.Capture;

/// <summary>
/// One captured frame as a view over the reader's buffer: valid only until the next read. Nothing is copied.
/// </summary>
public readonly ref struct CapturedPacket
{
    public CapturedPacket(LinkType linkType, long timestampNs, int originalLength, int interfaceId, ReadOnlySpan<byte> data)
    {
        LinkType = linkType;
        TimestampNs = timestampNs;
        OriginalLength = originalLength;
        InterfaceId = interfaceId;
        Data = data;
    }

    public LinkType LinkType { get; }
    /// <summary>Nanoseconds since the Unix epoch (UTC).</summary>
    public long TimestampNs { get; }
    /// <summary>Length on the wire; larger than <see cref="Data"/> when the snap length cut the frame.</summary>
    public int OriginalLength { get; }
    public int InterfaceId { get; }
    public ReadOnlySpan<byte> Data { get; }
}
