using System.Diagnostics;

namespace McpEgress.Capture.Live;

/// <summary>
/// Live capture through SharpPcap (libpcap) on one or more interfaces. Each interface has a dedicated capture thread
/// that reads with pcap_next_ex (SharpPcap's allocation-free <c>GetNextPacketPointers</c>) and copies every packet into one bounded queue preallocated at open (see
/// <see cref="LiveCaptureOptions.QueuePackets"/> and <see cref="LiveCaptureOptions.QueueBytes"/>); nothing is allocated
/// per packet. When the reader falls behind and the queue is full, the capture thread drops the packet and counts it
/// in <see cref="LiveCaptureStats.QueueDrops"/>: it never waits for the reader, so the kernel ring keeps draining.
/// <para>
/// The reader side is <see cref="ICaptureReader"/>, for one consumer thread. <see cref="TryReadPacket(out CapturedPacket)"/>
/// blocks until a packet arrives and returns false only after <see cref="Stop"/> (or after every interface failed) once
/// the queue is drained. A pipeline that must also run periodic work (flow timeouts, metrics) uses
/// <see cref="TryReadPacket(out CapturedPacket, TimeSpan, out bool)"/>, which returns false with
/// <c>timedOut = true</c> when no packet came within the wait.
/// </para>
/// Opening needs root or CAP_NET_RAW; a caller that wants to drop privileges does so after <see cref="Open"/>
/// returns (the handles are activated by then).
/// </summary>
public sealed class LiveCapture : ICaptureReader
{
    private readonly LiveInterface[] _interfaces;
    private readonly PacketQueue _queue;
    private readonly int _joinTimeoutMs;
    private int _running;
    private long _position;
    private readonly Lock _stopLock = new();
    private bool _stopped;
    private bool _disposed;

    private LiveCapture(LiveInterface[] interfaces, PacketQueue queue, int joinTimeoutMs)
    {
        _interfaces = interfaces;
        _queue = queue;
        _joinTimeoutMs = joinTimeoutMs;
    }

    /// <summary>
    /// Opens and activates every interface, installs the filter on each, then starts capturing. Throws
    /// <see cref="LiveCaptureException"/> (one-line message naming the interface or filter) when any interface cannot
    /// be opened; nothing stays open then. Throws <see cref="ArgumentException"/> for invalid options.
    /// </summary>
    public static LiveCapture Open(LiveCaptureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var queue = new PacketQueue(options.QueuePackets, (int)options.QueueBytes, options.QueueHighWater);
        var interfaces = new List<LiveInterface>(options.Interfaces.Count);
        try
        {
            for (int i = 0; i < options.Interfaces.Count; i++)
                interfaces.Add(LiveInterface.Open(i, options.Interfaces[i], options, queue));
        }
        catch
        {
            foreach (var opened in interfaces) opened.Close();
            throw;
        }

        var capture = new LiveCapture([.. interfaces], queue, options.ReadTimeoutMs + 5000);
        capture._running = interfaces.Count;
        foreach (var iface in interfaces) iface.Start(capture.OnExited);
        return capture;
    }

    /// <summary>The interfaces libpcap can open (pcap_findalldevs), "any" included on Linux.</summary>
    public static IReadOnlyList<LiveInterfaceInfo> ListInterfaces() =>
        [.. LiveInterface.Devices().Select(d => new LiveInterfaceInfo(d.Name, d.Description,
            (d.Flags & InterfaceLoopback) != 0, (d.Flags & InterfaceUp) != 0, (d.Flags & InterfaceRunning) != 0))];

    private const uint InterfaceLoopback = 0x1;  // PCAP_IF_LOOPBACK
    private const uint InterfaceUp = 0x2;        // PCAP_IF_UP
    private const uint InterfaceRunning = 0x4;   // PCAP_IF_RUNNING

    /// <summary>libpcap's version string (pcap_lib_version), e.g. "libpcap version 1.10.3 (with TPACKET_V3)".</summary>
    public static string LibraryVersion
    {
        get
        {
            // SharpPcap's Pcap.Version swallows a missing library into a sentence; listing devices does not.
            LiveInterface.Devices();
            return SharpPcap.Pcap.Version;
        }
    }

    /// <summary>libpcap could not be loaded: SharpPcap's first call throws DllNotFoundException, or the type
    /// initializer that registers its resolver fails with one inside.</summary>
    internal static bool IsLibraryMissing(Exception e) => e switch
    {
        DllNotFoundException or EntryPointNotFoundException => true,
        TypeInitializationException { InnerException: { } inner } => IsLibraryMissing(inner),
        _ => false,
    };

    internal static LiveCaptureException LibraryMissing(Exception e)
    {
        while (e is TypeInitializationException { InnerException: { } inner }) e = inner;
        // SharpPcap imports the Windows name "wpcap" and maps it to the Linux names itself; the runtime's text then
        // lists every probed wpcap path, which says nothing useful here.
        string detail = e.Message.Contains("'wpcap'", StringComparison.Ordinal)
            ? "SharpPcap tried libpcap.so, libpcap.so.0, libpcap.so.0.8 and libpcap.so.1"
            : e.Message.ReplaceLineEndings(" ");
        return new($"libpcap not found ({LibPcap.Library}; on Debian/Ubuntu: apt-get install libpcap0.8): {detail}", e);
    }

    /// <summary>Interface names, in <see cref="CapturedPacket.InterfaceId"/> order.</summary>
    public IReadOnlyList<string> Interfaces => Array.ConvertAll(_interfaces, i => i.Name);

    /// <summary>Link type of the packets from interface <paramref name="interfaceId"/>.</summary>
    public LinkType GetLinkType(int interfaceId) => _interfaces[interfaceId].LinkType;

    /// <summary>True when that interface delivers nanosecond timestamps (otherwise microseconds, scaled to ns).</summary>
    public bool HasNanosecondTimestamps(int interfaceId) => _interfaces[interfaceId].NanosecondTimestamps;

    /// <summary>pcap_activate warnings (e.g. promiscuous mode not supported), one per affected interface.</summary>
    public IReadOnlyList<string> Warnings => [.. _interfaces.Select(i => i.Warning).OfType<string>()];

    /// <summary>Counters per interface, in interface id order. Safe to call from any thread.</summary>
    public IReadOnlyList<LiveCaptureStats> GetStats() => Array.ConvertAll(_interfaces, i => i.Stats);

    /// <summary>Packets waiting in the queue (plus the one the reader holds).</summary>
    public long QueuedPackets => _queue.Count;

    /// <summary>Bytes of packet data waiting in the queue (approximate while capturing). Safe from any thread.</summary>
    public long QueuedBytes => _queue.Bytes;

    /// <summary>True once an interface's capture thread ended on an error; <see cref="TruncationReason"/> says why.</summary>
    public bool Truncated => TruncationReason is not null;

    /// <summary>The first interface error (e.g. "interface eth0: The interface went down"), or null.</summary>
    public string? TruncationReason => _interfaces.Select(i => i.Error).FirstOrDefault(e => e is not null);

    /// <summary>Captured bytes handed to the reader so far.</summary>
    public long Position => _position;

    /// <summary>Always -1: a live capture has no known length.</summary>
    public long Length => -1;

    /// <summary>
    /// Waits for the next packet as long as it takes. Returns false only when the capture has ended (<see cref="Stop"/>
    /// or every interface failed) and the queue is drained. The packet is valid until the next call. Reader thread only.
    /// </summary>
    public bool TryReadPacket(out CapturedPacket packet) => TryReadPacket(out packet, Timeout.InfiniteTimeSpan, out _);

    /// <summary>
    /// Waits at most <paramref name="wait"/> (<see cref="Timeout.InfiniteTimeSpan"/>: no limit) for the next packet.
    /// Returns true with a packet; false with <paramref name="timedOut"/> = true when none came in time (the capture
    /// goes on: do periodic work and call again); false with <paramref name="timedOut"/> = false when the capture has
    /// ended and the queue is drained. The packet is valid until the next call. Reader thread only.
    /// </summary>
    public bool TryReadPacket(out CapturedPacket packet, TimeSpan wait, out bool timedOut)
    {
        timedOut = false;
        bool infinite = wait == Timeout.InfiniteTimeSpan;
        long start = infinite ? 0 : Stopwatch.GetTimestamp();
        while (true)
        {
            if (_queue.TryDequeue(out packet))
            {
                _position += packet.Data.Length;
                return true;
            }
            if (_queue.IsCompleted)
            {
                // Capture threads publish their last packet before the queue is completed: one more look drains it.
                if (_queue.TryDequeue(out packet))
                {
                    _position += packet.Data.Length;
                    return true;
                }
                return false;
            }
            int timeoutMs = 1000;
            if (!infinite)
            {
                var left = wait - Stopwatch.GetElapsedTime(start);
                if (left <= TimeSpan.Zero)
                {
                    timedOut = true;
                    return false;
                }
                timeoutMs = (int)Math.Min(Math.Ceiling(left.TotalMilliseconds), 1000);
            }
            _queue.Wait(timeoutMs);
        }
    }

    /// <summary>
    /// Ends capturing: breaks every capture thread out of libpcap (pcap_breakloop) and waits for them, so the
    /// statistics are final when it returns. Packets already queued can still be read. Idempotent.
    /// </summary>
    public void Stop()
    {
        lock (_stopLock)
        {
            if (_stopped) return;
            _stopped = true;
        }
        foreach (var iface in _interfaces) iface.RequestStop();
        foreach (var iface in _interfaces) iface.Join(_joinTimeoutMs);
    }

    /// <summary>Stops and closes every pcap handle.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Stop();
        foreach (var iface in _interfaces) iface.Close();
    }

    internal IReadOnlyList<LiveInterface> InterfaceStates => _interfaces;

    private void OnExited(LiveInterface iface)
    {
        if (Interlocked.Decrement(ref _running) == 0) _queue.Complete();
    }
}
