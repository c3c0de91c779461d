namespace McpEgress.Capture.Live;

/// <summary>
/// One activated pcap handle and the dedicated thread that reads it with pcap_next_ex and copies each packet into the
/// shared <see cref="PacketQueue"/>. Only that thread calls libpcap on the handle (pcap_t is not thread-safe), except
/// pcap_breakloop, which is meant to be called from another thread. Counters are written by the capture thread only
/// and read by anyone (64-bit volatile reads).
/// </summary>
internal sealed unsafe class LiveInterface
{
    /// <summary>Packets after which the allocation probe takes its first reading (JIT and first-use costs are done).</summary>
    internal const int AllocationWarmupPackets = 64;

    private readonly PcapHandle _handle;
    private readonly PacketQueue _queue;
    private readonly bool _nanoseconds;
    private readonly int _statsIntervalMs;
    private Thread? _thread;
    private volatile bool _stopping;
    private volatile string? _error;

    private long _packets;
    private long _bytes;
    private long _queueDrops;
    private long _kernelReceived;
    private long _kernelDrops;
    private long _interfaceDrops;
    private LibPcap.Stat _lastStat;

    private LiveInterface(int id, string name, PcapHandle handle, LinkType linkType, bool nanoseconds, string? warning,
        PacketQueue queue, int statsIntervalMs)
    {
        Id = id;
        Name = name;
        _handle = handle;
        LinkType = linkType;
        _nanoseconds = nanoseconds;
        Warning = warning;
        _queue = queue;
        _statsIntervalMs = statsIntervalMs;
    }

    public int Id { get; }
    public string Name { get; }
    public LinkType LinkType { get; }
    public bool NanosecondTimestamps => _nanoseconds;
    /// <summary>pcap_activate's warning (e.g. promiscuous mode not supported), if any.</summary>
    public string? Warning { get; }
    public string? Error => _error;

    // Allocation probe: bytes allocated by the capture thread between the warm-up packet and the loop's end.
    internal long ProbePackets { get; private set; }
    internal long ProbeAllocatedBytes { get; private set; }

    public LiveCaptureStats Stats => new(Id, Name, LinkType,
        Volatile.Read(ref _packets), Volatile.Read(ref _bytes), Volatile.Read(ref _queueDrops),
        Volatile.Read(ref _kernelReceived), Volatile.Read(ref _kernelDrops), Volatile.Read(ref _interfaceDrops), _error);

    /// <summary>Creates, configures and activates a handle and installs the filter. Throws <see cref="LiveCaptureException"/>.</summary>
    public static LiveInterface Open(int id, string name, LiveCaptureOptions options, PacketQueue queue)
    {
        byte* errors = stackalloc byte[LibPcap.ErrorBufferSize];
        new Span<byte>(errors, LibPcap.ErrorBufferSize).Clear();
        PcapHandle handle;
        try
        {
            handle = LibPcap.pcap_create(name, errors);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw LiveCapture.LibraryMissing(e);
        }
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new LiveCaptureException($"interface {name}: {LibPcap.BufferText(errors)}");
        }

        try
        {
            Check(handle, name, "snap length", LibPcap.pcap_set_snaplen(handle, options.SnapLength));
            Check(handle, name, "promiscuous mode", LibPcap.pcap_set_promisc(handle, options.Promiscuous ? 1 : 0));
            Check(handle, name, "read timeout", LibPcap.pcap_set_timeout(handle, options.ReadTimeoutMs));
            if (options.BufferBytes > 0)
                Check(handle, name, "buffer size", LibPcap.pcap_set_buffer_size(handle, options.BufferBytes));
            Check(handle, name, "immediate mode", LibPcap.pcap_set_immediate_mode(handle, options.ImmediateMode ? 1 : 0));
            // Nanosecond timestamps when the platform has them; a failure here only means microseconds.
            bool nanoseconds = TrySetNanoseconds(handle);

            int status = LibPcap.pcap_activate(handle);
            if (status < 0) throw new LiveCaptureException(ActivationError(handle, name, status));
            string? warning = status > 0 ? $"interface {name}: {Join(LibPcap.StatusText(status), LibPcap.ErrorText(handle))}" : null;

            nanoseconds = nanoseconds && LibPcap.pcap_get_tstamp_precision(handle) == LibPcap.TimestampPrecisionNano;
            var linkType = ToLinkType(LibPcap.pcap_datalink(handle));

            if (!string.IsNullOrEmpty(options.Filter))
                InstallFilter(handle, options.Filter);

            return new LiveInterface(id, name, handle, linkType, nanoseconds, warning, queue, options.StatsIntervalMs);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static bool TrySetNanoseconds(PcapHandle handle)
    {
        try
        {
            return LibPcap.pcap_set_tstamp_precision(handle, LibPcap.TimestampPrecisionNano) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false; // libpcap before 1.5: microseconds only
        }
    }

    private static void InstallFilter(PcapHandle handle, string filter)
    {
        LibPcap.BpfProgram program;
        // The netmask only matters for "ip broadcast" filters; unknown is what tcpdump passes without an address.
        if (LibPcap.pcap_compile(handle, &program, filter, 1, LibPcap.NetmaskUnknown) != 0)
            throw new LiveCaptureException($"filter '{filter}': {OneLine(LibPcap.ErrorText(handle))}");
        try
        {
            if (LibPcap.pcap_setfilter(handle, &program) != 0)
                throw new LiveCaptureException($"filter '{filter}': {OneLine(LibPcap.ErrorText(handle))}");
        }
        finally
        {
            LibPcap.pcap_freecode(&program);
        }
    }

    private static string ActivationError(PcapHandle handle, string name, int status)
    {
        // PCAP_ERROR's text is only in pcap_geterr; the named errors have a fixed text plus, sometimes, a detail there.
        string text = Join(LibPcap.StatusText(status), LibPcap.ErrorText(handle));
        if (status is LibPcap.ErrorPermissionDenied or LibPcap.ErrorPromiscPermissionDenied)
            text += "; capturing needs root or CAP_NET_RAW";
        return $"interface {name}: {text}";
    }

    private static string Join(string status, string detail)
    {
        detail = OneLine(detail);
        if (detail.Length == 0 || status.Contains(detail, StringComparison.Ordinal)) return status;
        if (detail.Contains(status, StringComparison.Ordinal)) return detail;
        return $"{status} ({detail})";
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();

    private static void Check(PcapHandle handle, string name, string what, int status)
    {
        if (status != 0)
            throw new LiveCaptureException($"interface {name}: cannot set {what}: {Join(LibPcap.StatusText(status), LibPcap.ErrorText(handle))}");
    }

    /// <summary>DLT_* (what pcap_datalink returns) to LINKTYPE_* where they differ.</summary>
    internal static LinkType ToLinkType(int dlt) => dlt switch
    {
        12 or 14 => LinkType.Raw, // DLT_RAW is 12 on most systems, 14 on OpenBSD; LINKTYPE_RAW is 101
        _ => (LinkType)dlt,
    };

    public void Start(Action<LiveInterface> exited)
    {
        _thread = new Thread(() => Run(exited))
        {
            IsBackground = true,
            Name = $"pcap {Name}",
        };
        _thread.Start();
    }

    /// <summary>Asks the capture thread to end; returns at once.</summary>
    public void RequestStop()
    {
        _stopping = true;
        if (!_handle.IsClosed) LibPcap.pcap_breakloop(_handle);
    }

    /// <summary>Waits for the capture thread; true when it has ended (or never started).</summary>
    public bool Join(int timeoutMs) => _thread is null || _thread.Join(timeoutMs);

    /// <summary>Closes the handle once its thread has ended. A thread that has not ended keeps it open.</summary>
    public void Close()
    {
        if (_thread is null || !_thread.IsAlive) _handle.Dispose();
    }

    private void Run(Action<LiveInterface> exited)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            Loop(_handle.DangerousGetHandle());
        }
        catch (Exception e)
        {
            _error = $"interface {Name}: {e.Message}";
        }
        finally
        {
            if (added) _handle.DangerousRelease();
            exited(this);
        }
    }

    private void Loop(IntPtr p)
    {
        long nextStats = Environment.TickCount64 + _statsIntervalMs;
        long probeStart = 0;
        long packets = 0, bytes = 0, drops = 0;
        LibPcap.PacketHeader* header;
        byte* data;
        while (!_stopping)
        {
            int result = LibPcap.pcap_next_ex(p, &header, &data);
            if (result == LibPcap.NextPacket)
            {
                int length = (int)header->CapturedLength;
                long ns = header->Seconds * 1_000_000_000L + (_nanoseconds ? header->Fraction : header->Fraction * 1000L);
                packets++;
                bytes += length;
                if (!_queue.TryEnqueue(Id, LinkType, ns, (int)Math.Min(header->OriginalLength, int.MaxValue), data, length))
                    Volatile.Write(ref _queueDrops, ++drops);
                Volatile.Write(ref _bytes, bytes);
                Volatile.Write(ref _packets, packets);
                if (packets == AllocationWarmupPackets) probeStart = GC.GetAllocatedBytesForCurrentThread();
            }
            else if (result == LibPcap.NextBreak)
            {
                break;
            }
            else if (result != LibPcap.NextTimeout)
            {
                // The interface went down or away, or the socket failed: this interface is finished.
                _error = $"interface {Name}: {OneLine(LibPcap.ErrorText(_handle))}";
                break;
            }

            if (Environment.TickCount64 >= nextStats)
            {
                PollStats(p);
                nextStats = Environment.TickCount64 + _statsIntervalMs;
            }
        }
        if (packets >= AllocationWarmupPackets)
        {
            ProbeAllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - probeStart;
            ProbePackets = packets - AllocationWarmupPackets;
        }
        PollStats(p);
    }

    private void PollStats(IntPtr p)
    {
        LibPcap.Stat stat;
        if (LibPcap.pcap_stats(p, &stat) != 0) return;
        // 32-bit counters: add the wrapped difference so the totals stay monotonic.
        Volatile.Write(ref _kernelReceived, _kernelReceived + (stat.Received - _lastStat.Received));
        Volatile.Write(ref _kernelDrops, _kernelDrops + (stat.Dropped - _lastStat.Dropped));
        Volatile.Write(ref _interfaceDrops, _interfaceDrops + (stat.InterfaceDropped - _lastStat.InterfaceDropped));
        _lastStat = stat;
    }
}
