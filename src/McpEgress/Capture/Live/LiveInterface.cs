using SharpPcap;
using SharpPcap.LibPcap;

namespace McpEgress.Capture.Live;

/// <summary>
/// One SharpPcap <see cref="LibPcapLiveDevice"/> and the dedicated thread that reads it with
/// <c>GetNextPacketPointers</c> (pcap_next_ex, nothing allocated) and copies each packet into the shared
/// <see cref="PacketQueue"/>. Only that thread calls libpcap on the handle (pcap_t is not thread-safe), except
/// pcap_breakloop, which is meant to be called from another thread. Counters are written by the capture thread only
/// and read by anyone (64-bit volatile reads).
/// </summary>
internal sealed unsafe class LiveInterface
{
    /// <summary>Packets after which the allocation probe takes its first reading (JIT and first-use costs are done).</summary>
    internal const int AllocationWarmupPackets = 64;

    private readonly LibPcapLiveDevice _device;
    private readonly PacketQueue _queue;
    private readonly bool _nanoseconds;
    private readonly int _statsIntervalMs;
    private Thread? _thread;
    private volatile bool _stopping;
    private volatile string? _error;

    private long _packets;
    private long _bytes;
    private long _queueDrops;
    private long _highWaterDrops;
    private long _bypassedPackets;
    private long _bypassedBytes;
    private readonly IPacketTriage? _triage;
    private long _kernelReceived;
    private long _kernelDrops;
    private long _interfaceDrops;
    private LibPcap.Stat _lastStat;

    private LiveInterface(int id, string name, LibPcapLiveDevice device, LinkType linkType, bool nanoseconds,
        PacketQueue queue, int statsIntervalMs, IPacketTriage? triage)
    {
        _triage = triage;
        Id = id;
        Name = name;
        _device = device;
        LinkType = linkType;
        _nanoseconds = nanoseconds;
        _queue = queue;
        _statsIntervalMs = statsIntervalMs;
    }

    public int Id { get; }
    public string Name { get; }
    public LinkType LinkType { get; }
    public bool NanosecondTimestamps => _nanoseconds;
    /// <summary>Always null: SharpPcap does not pass pcap_activate's warnings on (kept for callers that print them).</summary>
    public string? Warning => null;
    public string? Error => _error;

    // Allocation probe: bytes allocated by the capture thread between the warm-up packet and the loop's end.
    internal long ProbePackets { get; private set; }
    internal long ProbeAllocatedBytes { get; private set; }

    public LiveCaptureStats Stats => new(Id, Name, LinkType,
        Volatile.Read(ref _packets), Volatile.Read(ref _bytes), Volatile.Read(ref _queueDrops),
        Volatile.Read(ref _kernelReceived), Volatile.Read(ref _kernelDrops), Volatile.Read(ref _interfaceDrops), _error,
        Volatile.Read(ref _bypassedPackets), Volatile.Read(ref _bypassedBytes), Volatile.Read(ref _highWaterDrops));

    /// <summary>The libpcap devices (pcap_findalldevs), fresh objects: one device object can be opened only once, and
    /// the SYN tap opens the same interfaces as the main capture.</summary>
    internal static LibPcapLiveDeviceList Devices()
    {
        try
        {
            return LibPcapLiveDeviceList.New();
        }
        catch (Exception e) when (LiveCapture.IsLibraryMissing(e))
        {
            throw LiveCapture.LibraryMissing(e);
        }
        catch (PcapException e)
        {
            throw new LiveCaptureException($"cannot list interfaces: {OneLine(e.Message)}");
        }
    }

    /// <summary>Opens and activates a device and installs the filter. Throws <see cref="LiveCaptureException"/>.</summary>
    public static LiveInterface Open(int id, string name, LiveCaptureOptions options, PacketQueue queue)
    {
        var device = Devices().FirstOrDefault(d => d.Name == name)
            ?? throw new LiveCaptureException($"interface {name}: No such device exists");
        // Settings libpcap refuses are errors, except nanosecond timestamps: without them we get microseconds.
        var configuration = new DeviceConfiguration
        {
            Snaplen = options.SnapLength,
            Mode = options.Promiscuous ? DeviceModes.Promiscuous : DeviceModes.None,
            ReadTimeout = options.ReadTimeoutMs,
            BufferSize = options.BufferBytes > 0 ? options.BufferBytes : null,
            Immediate = options.ImmediateMode,
            TimestampResolution = TimestampResolution.Nanosecond,
        };
        configuration.ConfigurationFailed += (_, e) =>
        {
            if (e.Property != nameof(DeviceConfiguration.TimestampResolution))
                throw new LiveCaptureException($"interface {name}: cannot set {e.Property}: {OneLine(e.Message)}");
        };
        try
        {
            device.Open(configuration);
            bool nanoseconds = device.TimestampResolution == TimestampResolution.Nanosecond;
            var linkType = ToLinkType((int)device.LinkType);
            if (!string.IsNullOrEmpty(options.Filter))
                InstallFilter(device, options.Filter);
            return new LiveInterface(id, name, device, linkType, nanoseconds, queue, options.StatsIntervalMs, options.Triage?.Invoke());
        }
        catch (Exception e) when (LiveCapture.IsLibraryMissing(e))
        {
            device.Close();
            throw LiveCapture.LibraryMissing(e);
        }
        catch (PcapException e)
        {
            string message = ActivationError(device, name, e);
            device.Close();
            throw new LiveCaptureException(message);
        }
        catch
        {
            device.Close();
            throw;
        }
    }

    private static void InstallFilter(LibPcapLiveDevice device, string filter)
    {
        try
        {
            device.Filter = filter;
        }
        catch (PcapException)
        {
            // SharpPcap's message for a compile error is pcap_geterr alone; for setfilter it adds its own words.
            throw new LiveCaptureException($"filter '{filter}': {OneLine(device.LastError)}");
        }
    }

    private static string ActivationError(LibPcapLiveDevice device, string name, PcapException e)
    {
        // SharpPcap's own text is "Unable to activate the adapter (lo)."; libpcap's detail is in pcap_geterr.
        string detail = device.Opened ? OneLine(device.LastError) : "";
        string status = e.Error switch
        {
            PcapError.NoSuchDevice => "No such device exists",
            PcapError.PermissionDenied or PcapError.PromiscuousPermissionDenied => "You don't have permission to perform this capture on that device",
            PcapError.InterfaceNotUp => "That device is not up",
            _ => OneLine(e.Message),
        };
        string text = Join(status, detail);
        if (e.Error is PcapError.PermissionDenied or PcapError.PromiscuousPermissionDenied)
            text += "; capturing needs root or CAP_NET_RAW";
        return $"interface {name}: {text}";
    }

    private static string Join(string status, string detail)
    {
        if (detail.Length == 0 || status.Contains(detail, StringComparison.Ordinal)) return status;
        if (detail.Contains(status, StringComparison.Ordinal)) return detail;
        return $"{status} ({detail})";
    }

    private static string OneLine(string? s) => (s ?? "").ReplaceLineEndings(" ").Trim();

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
        var handle = _device.Handle;
        if (handle.IsInvalid || handle.IsClosed) return; // closed (SharpPcap swaps in an invalid handle): nothing to wake
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            LibPcap.pcap_breakloop(handle.DangerousGetHandle());
        }
        catch (ObjectDisposedException)
        {
            // already closed: nothing to wake
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>Waits for the capture thread; true when it has ended (or never started).</summary>
    public bool Join(int timeoutMs) => _thread is null || _thread.Join(timeoutMs);

    /// <summary>Closes the handle once its thread has ended. A thread that has not ended keeps it open.</summary>
    public void Close()
    {
        if (_thread is null || !_thread.IsAlive) _device.Close();
    }

    private void Run(Action<LiveInterface> exited)
    {
        bool added = false;
        var handle = _device.Handle;
        try
        {
            handle.DangerousAddRef(ref added);
            Loop(handle.DangerousGetHandle());
        }
        catch (Exception e)
        {
            _error = $"interface {Name}: {e.Message}";
        }
        finally
        {
            if (added) handle.DangerousRelease();
            exited(this);
        }
    }

    private void Loop(IntPtr p)
    {
        long nextStats = Environment.TickCount64 + _statsIntervalMs;
        long probeStart = 0;
        long packets = 0, bytes = 0, drops = 0, highWaterDrops = 0, bypassed = 0, bypassedBytes = 0;
        IntPtr headerPointer = IntPtr.Zero, dataPointer = IntPtr.Zero;
        while (!_stopping)
        {
            int result = _device.GetNextPacketPointers(ref headerPointer, ref dataPointer);
            if (result == LibPcap.NextPacket)
            {
                var header = (LibPcap.PacketHeader*)headerPointer;
                var data = (byte*)dataPointer;
                int length = (int)header->CapturedLength;
                long ns = header->Seconds * 1_000_000_000L + (_nanoseconds ? header->Fraction : header->Fraction * 1000L);
                packets++;
                bytes += length;
                int originalLength = (int)Math.Min(header->OriginalLength, int.MaxValue);
                var triage = _triage is null ? PacketTriage.Unknown
                    : _triage.Classify(new CapturedPacket(LinkType, ns, originalLength, Id, new ReadOnlySpan<byte>(data, length)));
                switch (_queue.Offer(triage, Id, LinkType, ns, originalLength, data, length))
                {
                    case QueueOffer.Bypassed:
                        Volatile.Write(ref _bypassedBytes, bypassedBytes += length);
                        Volatile.Write(ref _bypassedPackets, ++bypassed);
                        break;
                    case QueueOffer.DroppedAboveHighWater:
                        Volatile.Write(ref _highWaterDrops, ++highWaterDrops);
                        Volatile.Write(ref _queueDrops, ++drops);
                        break;
                    case QueueOffer.DroppedFull:
                        Volatile.Write(ref _queueDrops, ++drops);
                        break;
                }
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
                _error = $"interface {Name}: {OneLine(_device.LastError)}";
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
