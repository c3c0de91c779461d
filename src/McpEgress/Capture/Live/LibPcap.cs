using System.Reflection;
using System.Runtime.InteropServices;

namespace McpEgress.Capture.Live;

/// <summary>
/// The few libpcap entry points live capture needs (pcap(3PCAP), libpcap >= 1.5 for immediate mode and timestamp
/// precision; Debian ships it as libpcap0.8 with the file libpcap.so.0.8). All calls on one pcap_t come from one
/// thread except <see cref="pcap_breakloop"/>, which libpcap documents as callable from another thread (since 1.10
/// it also wakes a blocked poll on Linux through an eventfd).
/// </summary>
internal static unsafe partial class LibPcap
{
    internal const string Library = "libpcap.so.0.8";
    internal const int ErrorBufferSize = 256;                // PCAP_ERRBUF_SIZE
    internal const uint NetmaskUnknown = 0xffffffff;         // PCAP_NETMASK_UNKNOWN
    internal const int TimestampPrecisionMicro = 0;          // PCAP_TSTAMP_PRECISION_MICRO
    internal const int TimestampPrecisionNano = 1;           // PCAP_TSTAMP_PRECISION_NANO

    // pcap_next_ex results.
    internal const int NextPacket = 1;
    internal const int NextTimeout = 0;
    internal const int NextError = -1;                       // PCAP_ERROR
    internal const int NextBreak = -2;                       // PCAP_ERROR_BREAK

    // pcap_activate errors that name the cause (pcap/pcap.h).
    internal const int ErrorNoSuchDevice = -5;               // PCAP_ERROR_NO_SUCH_DEVICE
    internal const int ErrorPermissionDenied = -8;           // PCAP_ERROR_PERM_DENIED
    internal const int ErrorPromiscPermissionDenied = -11;   // PCAP_ERROR_PROMISC_PERM_DENIED
    internal const int ErrorTimestampPrecisionNotSupported = -12;

    internal const uint InterfaceLoopback = 0x1;             // PCAP_IF_LOOPBACK
    internal const uint InterfaceUp = 0x2;                   // PCAP_IF_UP
    internal const uint InterfaceRunning = 0x4;              // PCAP_IF_RUNNING

    static LibPcap()
    {
        // Only the exact soname is imported; the resolver adds the development symlink and the generic name for
        // distributions that package libpcap differently. An assembly has one resolver: if another part of the
        // program installed one first, the runtime's default probing (exact name) still applies.
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(LibPcap).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library) return IntPtr.Zero;
        foreach (var candidate in (ReadOnlySpan<string>)[Library, "libpcap.so", "pcap"])
            if (NativeLibrary.TryLoad(candidate, assembly, path, out var handle))
                return handle;
        return IntPtr.Zero;
    }

    /// <summary>struct pcap_pkthdr: struct timeval is two C longs (pointer-sized on Linux).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PacketHeader
    {
        public nint Seconds;
        public nint Fraction; // microseconds, or nanoseconds when the handle was opened with nanosecond precision
        public uint CapturedLength;
        public uint OriginalLength;
    }

    /// <summary>struct pcap_stat (the Windows-only bs_capt is absent on Linux). Counters are 32-bit and wrap.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Stat
    {
        public uint Received;
        public uint Dropped;
        public uint InterfaceDropped;
    }

    /// <summary>struct bpf_program.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct BpfProgram
    {
        public uint Length;
        public IntPtr Instructions;
    }

    /// <summary>struct pcap_if (pcap_if_t).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Interface
    {
        public IntPtr Next;
        public IntPtr Name;
        public IntPtr Description;
        public IntPtr Addresses;
        public uint Flags;
    }

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial PcapHandle pcap_create(string source, byte* errorBuffer);

    [LibraryImport(Library)]
    internal static partial int pcap_set_snaplen(PcapHandle p, int snapLength);

    [LibraryImport(Library)]
    internal static partial int pcap_set_promisc(PcapHandle p, int promiscuous);

    [LibraryImport(Library)]
    internal static partial int pcap_set_timeout(PcapHandle p, int milliseconds);

    [LibraryImport(Library)]
    internal static partial int pcap_set_buffer_size(PcapHandle p, int bytes);

    [LibraryImport(Library)]
    internal static partial int pcap_set_immediate_mode(PcapHandle p, int immediate);

    [LibraryImport(Library)]
    internal static partial int pcap_set_tstamp_precision(PcapHandle p, int precision);

    [LibraryImport(Library)]
    internal static partial int pcap_get_tstamp_precision(PcapHandle p);

    [LibraryImport(Library)]
    internal static partial int pcap_activate(PcapHandle p);

    [LibraryImport(Library)]
    internal static partial IntPtr pcap_statustostr(int status);

    [LibraryImport(Library)]
    internal static partial IntPtr pcap_geterr(PcapHandle p);

    [LibraryImport(Library)]
    internal static partial int pcap_datalink(PcapHandle p);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int pcap_compile(PcapHandle p, BpfProgram* program, string filter, int optimize, uint netmask);

    [LibraryImport(Library)]
    internal static partial int pcap_setfilter(PcapHandle p, BpfProgram* program);

    [LibraryImport(Library)]
    internal static partial void pcap_freecode(BpfProgram* program);

    /// <summary>The hot path: raw pointer, no SafeHandle reference counting per packet (the capture thread holds a
    /// reference for its whole life).</summary>
    [LibraryImport(Library)]
    internal static partial int pcap_next_ex(IntPtr p, PacketHeader** header, byte** data);

    [LibraryImport(Library)]
    internal static partial int pcap_stats(IntPtr p, Stat* stat);

    [LibraryImport(Library)]
    internal static partial void pcap_breakloop(PcapHandle p);

    [LibraryImport(Library)]
    internal static partial void pcap_close(IntPtr p);

    [LibraryImport(Library)]
    internal static partial int pcap_findalldevs(Interface** devices, byte* errorBuffer);

    [LibraryImport(Library)]
    internal static partial void pcap_freealldevs(Interface* devices);

    [LibraryImport(Library)]
    internal static partial IntPtr pcap_lib_version();

    internal static string StatusText(int status) => Marshal.PtrToStringUTF8(pcap_statustostr(status)) ?? $"status {status}";

    internal static string ErrorText(PcapHandle p) => Marshal.PtrToStringUTF8(pcap_geterr(p)) ?? "";

    /// <summary>The text in an errbuf the caller zeroed (libpcap NUL-terminates what it writes).</summary>
    internal static string BufferText(byte* buffer)
    {
        int n = new ReadOnlySpan<byte>(buffer, ErrorBufferSize).IndexOf((byte)0);
        return Marshal.PtrToStringUTF8((IntPtr)buffer, n >= 0 ? n : ErrorBufferSize);
    }
}
