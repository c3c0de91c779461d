using System.Reflection;
using System.Runtime.InteropServices;

namespace McpEgress.Capture.Live;

/// <summary>
/// The two libpcap calls SharpPcap 6.3.1 does not give us, made on the pcap_t of a SharpPcap device (its public
/// <c>Handle</c>), and the struct pcap_pkthdr that its allocation-free <c>GetNextPacketPointers</c> points at (its
/// <c>GetNextPacket</c> allocates 96 B per packet: a <c>PcapHeader</c>, a <c>PosixTimeval</c> and a poll array). Each call
/// has a measured reason (tests in <c>SharpPcapGapTests</c>):
/// <list type="bullet">
/// <item><c>pcap_stats</c>: SharpPcap declares struct pcap_stat with pointer-sized fields on Unix (libpcap's are 32-bit
/// u_int), so on 64-bit Linux its <c>DroppedPackets</c> is really ps_ifdrop and kernel drops (ps_drop) are never
/// reported (measured on lo: pcap_stats ps_drop 880, SharpPcap 0); its <c>InterfaceDroppedPackets</c> is always 0.</item>
/// <item><c>pcap_breakloop</c>: SharpPcap calls it only for its own background capture; our capture thread blocks in
/// pcap_next_ex (TPACKET_V3 never times out on an idle interface) and needs it to stop at once (libpcap >= 1.10 wakes
/// the blocked poll through an eventfd).</item>
/// </list>
/// </summary>
internal static unsafe partial class LibPcap
{
    internal const string Library = "libpcap.so.0.8";

    // pcap_next_ex results (SharpPcap's GetNextPacketPointers returns them unchanged).
    internal const int NextPacket = 1;
    internal const int NextTimeout = 0;
    internal const int NextBreak = -2;                       // PCAP_ERROR_BREAK

    static LibPcap()
    {
        // The same candidates as SharpPcap's own resolver (which serves only its assembly), so both load the same file.
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
        foreach (var candidate in (ReadOnlySpan<string>)[Library, "libpcap.so", "libpcap.so.1"])
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

    [LibraryImport(Library)]
    internal static partial int pcap_stats(IntPtr p, Stat* stat);

    [LibraryImport(Library)]
    internal static partial void pcap_breakloop(IntPtr p);
}
