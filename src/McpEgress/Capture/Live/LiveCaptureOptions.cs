namespace McpEgress.Capture.Live;

/// <summary>
/// How <see cref="LiveCapture"/> opens its interfaces and how much memory it may hold. Checked by
/// <see cref="LiveCapture.Open"/> before anything is opened; every buffer is allocated once, up front.
/// </summary>
public sealed class LiveCaptureOptions
{
    /// <summary>
    /// Interfaces to capture on, one capture thread each; a packet's <see cref="CapturedPacket.InterfaceId"/> is its
    /// index in this list. "any" (Linux) captures on every interface with a cooked link-layer header (Linux SLL).
    /// Required, at least one.
    /// </summary>
    public IReadOnlyList<string> Interfaces { get; init; } = [];

    /// <summary>
    /// BPF filter compiled by libpcap (pcap-filter(7)) and run in the kernel. Default <c>tcp</c>: every later stage
    /// reads TCP only (SMTP, TLS, HTTP), so anything else would cost a copy into the queue and a decode just to be
    /// thrown away, and would take queue space from the packets that matter. Narrow it (e.g. <c>tcp port 25 or tcp
    /// port 587 or tcp port 465 or tcp port 443</c>) to cut load further. Null or empty: no filter. IP fragments after
    /// the first carry no TCP header and are not matched by <c>tcp</c>; use <c>tcp or (ip[6:2] &amp; 0x1fff != 0)</c>
    /// where fragmented TCP is expected.
    /// </summary>
    public string? Filter { get; init; } = "tcp";

    /// <summary>Bytes kept of each packet. Default 262144, libpcap's maximum: mail must not be cut.</summary>
    public int SnapLength { get; init; } = 262144;

    /// <summary>
    /// Kernel ring buffer per interface (pcap_set_buffer_size). Default 16 MiB. It absorbs bursts while the capture
    /// thread is descheduled; when too small, the kernel drops packets (<see cref="LiveCaptureStats.KernelDrops"/>).
    /// With <see cref="ImmediateMode"/> it is counted in snap-length-sized frames, not bytes of traffic (see there).
    /// </summary>
    public int BufferBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// Deliver each packet as soon as it arrives (pcap_set_immediate_mode). Default false, on purpose: on Linux,
    /// immediate mode makes libpcap use TPACKET_V2, whose kernel ring has one fixed-size frame per packet sized for
    /// the snap length (at least ~64 KiB on Ethernet-like interfaces, the whole snap length on "any"), so a 16 MiB
    /// buffer holds only 64 to 256 packets and bursts are dropped in the kernel. Measured on lo, 6000 paced segments
    /// with the reader keeping up: 44% (lo) and 67% (any) kernel drops with immediate mode, none without. Without it
    /// libpcap uses TPACKET_V3, which packs packets into blocks; the cost is latency: a block is handed over when full
    /// or after <see cref="ReadTimeoutMs"/>, which a passive monitor can afford.
    /// </summary>
    public bool ImmediateMode { get; init; }

    /// <summary>Promiscuous mode. Default false: an egress monitor sees its own host's traffic without it.</summary>
    public bool Promiscuous { get; init; }

    /// <summary>
    /// Packets the queue between the capture threads and the reader holds (shared by all interfaces). Default 65536.
    /// When full, new packets are dropped and counted (<see cref="LiveCaptureStats.QueueDrops"/>).
    /// </summary>
    public int QueuePackets { get; init; } = 65536;

    /// <summary>
    /// Bytes of packet data the queue holds (one arena, allocated once). Default 256 MiB. Must be at least
    /// <see cref="SnapLength"/>. When full, new packets are dropped and counted like a full slot table.
    /// </summary>
    public long QueueBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// libpcap read timeout (pcap_set_timeout) in milliseconds. Default 100. Without immediate mode it is the longest a
    /// packet waits in a partly filled kernel block before the capture thread sees it (the latency bound).
    /// <see cref="LiveCapture.Stop"/> does not wait for it: it uses pcap_breakloop.
    /// </summary>
    public int ReadTimeoutMs { get; init; } = 100;

    /// <summary>How often each capture thread refreshes kernel statistics (pcap_stats). Default 1000 ms.</summary>
    public int StatsIntervalMs { get; init; } = 1000;

    /// <summary>
    /// Share of <see cref="QueuePackets"/> (and of <see cref="QueueBytes"/>) above which packets of expendable flows
    /// (<see cref="PacketTriage.Expendable"/>, from <see cref="Triage"/>: e.g. TLS to a host that is no mail API) are no
    /// longer queued: when packets must be dropped, theirs go first, and new and mail flows keep the rest of the
    /// capacity. Default 0.75; 1 turns the preference off.
    /// </summary>
    public double QueueHighWater { get; init; } = 0.75;

    /// <summary>
    /// Makes one <see cref="IPacketTriage"/> per capture thread, asked about every packet before it is queued: a
    /// bypassed flow's packets are not queued at all (counted apart from drops), and above
    /// <see cref="QueueHighWater"/> an expendable flow's are not either. Null: every packet is queued while there is room.
    /// </summary>
    public Func<IPacketTriage>? Triage { get; init; }

    public static LiveCaptureOptions For(params string[] interfaces) => new() { Interfaces = interfaces };

    internal void Validate()
    {
        if (Interfaces.Count == 0) throw new ArgumentException("at least one interface is required", nameof(Interfaces));
        foreach (var name in Interfaces)
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("interface names must not be empty", nameof(Interfaces));
        if (SnapLength is < 64 or > 262144) throw new ArgumentOutOfRangeException(nameof(SnapLength), SnapLength, "must be 64..262144");
        if (BufferBytes < 0) throw new ArgumentOutOfRangeException(nameof(BufferBytes), BufferBytes, "must not be negative");
        if (QueuePackets < 1) throw new ArgumentOutOfRangeException(nameof(QueuePackets), QueuePackets, "must be at least 1");
        if (QueueBytes < SnapLength || QueueBytes > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(QueueBytes), QueueBytes, $"must be {SnapLength}..{Array.MaxLength} (at least the snap length)");
        if (ReadTimeoutMs < 1) throw new ArgumentOutOfRangeException(nameof(ReadTimeoutMs), ReadTimeoutMs, "must be at least 1");
        if (!(QueueHighWater is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(QueueHighWater), QueueHighWater, "must be in (0, 1]");
        if (StatsIntervalMs < 1) throw new ArgumentOutOfRangeException(nameof(StatsIntervalMs), StatsIntervalMs, "must be at least 1");
    }
}
