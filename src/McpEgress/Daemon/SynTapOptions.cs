namespace McpEgress.Daemon;

/// <summary>
/// Limits of the <see cref="SynTap"/>: its own small libpcap handles (immediate mode) and the cache of processes it
/// resolved. Every buffer is allocated once, when the tap opens.
/// </summary>
public sealed class SynTapOptions
{
    /// <summary>
    /// Kernel ring per interface. Default 2 MiB. Immediate mode (TPACKET_V2) uses one frame per packet sized for
    /// <see cref="SnapLength"/>, so with the default snap length this holds a few thousand SYNs: client SYNs are rare,
    /// a burst larger than that is dropped in the kernel and those flows fall back to late attribution.
    /// </summary>
    public int BufferBytes { get; init; } = 2 * 1024 * 1024;

    /// <summary>
    /// Bytes kept of each SYN. Default 256: link header (SLL2: 20) + IPv6 with extension headers + TCP with options
    /// (at most 60). Payload (TCP Fast Open) is not needed.
    /// </summary>
    public int SnapLength { get; init; } = 256;

    /// <summary>SYNs the queue between the tap's capture threads and its resolver thread holds. Default 4096.</summary>
    public int QueuePackets { get; init; } = 4096;

    /// <summary>How long a resolved process is kept for the pipeline to pick up. Default 2 minutes.</summary>
    public TimeSpan CacheTtl { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Resolved flows kept at most; the oldest is evicted first. Default 65536.</summary>
    public int MaxCacheEntries { get; init; } = 65536;

    internal void Validate()
    {
        if (BufferBytes < 0) throw new ArgumentOutOfRangeException(nameof(BufferBytes), BufferBytes, "must not be negative");
        if (SnapLength is < 64 or > 262144) throw new ArgumentOutOfRangeException(nameof(SnapLength), SnapLength, "must be 64..262144");
        if (QueuePackets < 1) throw new ArgumentOutOfRangeException(nameof(QueuePackets), QueuePackets, "must be at least 1");
        if (CacheTtl <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(CacheTtl), CacheTtl, "must be positive");
        if (MaxCacheEntries < 1) throw new ArgumentOutOfRangeException(nameof(MaxCacheEntries), MaxCacheEntries, "must be at least 1");
    }
}
