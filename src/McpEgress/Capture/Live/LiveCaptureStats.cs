namespace McpEgress.Capture.Live;

/// <summary>
/// Counters of one live interface. All are cumulative since <see cref="LiveCapture.Open"/> and never go down
/// (libpcap's 32-bit kernel counters are widened across wrap-around). Packets and bytes read from libpcap are exact
/// at any time; the kernel counters are refreshed every <see cref="LiveCaptureOptions.StatsIntervalMs"/> and once
/// more when the capture thread ends, so after <see cref="LiveCapture.Stop"/> every counter is final.
/// </summary>
/// <param name="InterfaceId">Index in <see cref="LiveCaptureOptions.Interfaces"/> (the packets' interface id).</param>
/// <param name="Packets">Packets libpcap delivered (after the BPF filter), queued or not.</param>
/// <param name="Bytes">Captured bytes of those packets.</param>
/// <param name="QueueDrops">Of <paramref name="Packets"/>, those dropped because the shared queue was full (the reader
/// fell behind). <c>Packets - QueueDrops</c> reached the reader.</param>
/// <param name="KernelReceived">pcap_stats ps_recv: packets the kernel passed to the capture socket. Not comparable
/// with <paramref name="Packets"/> one to one: on loopback the kernel counts each packet twice (outgoing and incoming
/// copy; libpcap discards the outgoing one).</param>
/// <param name="KernelDrops">pcap_stats ps_drop: packets the kernel dropped because its buffer was full (raise
/// <see cref="LiveCaptureOptions.BufferBytes"/>).</param>
/// <param name="InterfaceDrops">pcap_stats ps_ifdrop: packets the network interface or its driver dropped.</param>
/// <param name="BypassedPackets">Of <paramref name="Packets"/>, those of bypassed flows, not queued on purpose (a bypass
/// is not a drop: nothing that could matter was in them).</param>
/// <param name="BypassedBytes">Captured bytes of <paramref name="BypassedPackets"/>.</param>
/// <param name="HighWaterDrops">Of <paramref name="QueueDrops"/>, those dropped above the queue's high-water mark because
/// their flow was expendable (<see cref="LiveCaptureOptions.QueueHighWater"/>).</param>
/// <param name="Error">Why the capture thread ended on its own (e.g. the interface went away); null otherwise.</param>
public readonly record struct LiveCaptureStats(
    int InterfaceId,
    string Interface,
    LinkType LinkType,
    long Packets,
    long Bytes,
    long QueueDrops,
    long KernelReceived,
    long KernelDrops,
    long InterfaceDrops,
    string? Error,
    long BypassedPackets = 0,
    long BypassedBytes = 0,
    long HighWaterDrops = 0);
