using System.Runtime.InteropServices;

namespace McpEgress.Tests.Capture.Live;

/// <summary>
/// Linux capabilities of the calling thread only (capget/capset act per thread; glibc's setuid family would change
/// every thread, these raw calls do not). Used to take CAP_NET_RAW out of one test thread's effective set while
/// keeping it permitted, so the thread can put it back and the rest of the process is unaffected.
/// </summary>
internal static unsafe partial class ThreadCapabilities
{
    public const int NetRaw = 13; // CAP_NET_RAW, linux/capability.h
    private const uint Version3 = 0x20080522; // _LINUX_CAPABILITY_VERSION_3: two 32-bit words per set

    [StructLayout(LayoutKind.Sequential)]
    private struct Header { public uint Version; public int Pid; }

    [StructLayout(LayoutKind.Sequential)]
    private struct Data { public uint Effective, Permitted, Inheritable; }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int capget(Header* header, Data* data);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int capset(Header* header, Data* data);

    /// <summary>True when <paramref name="capability"/> is in this thread's effective set.</summary>
    public static bool IsEffective(int capability)
    {
        var h = new Header { Version = Version3 };
        Data* d = stackalloc Data[2];
        if (capget(&h, d) != 0) throw new InvalidOperationException($"capget failed: errno {Marshal.GetLastPInvokeError()}");
        return (d[capability / 32].Effective & (1u << (capability % 32))) != 0;
    }

    /// <summary>Adds or removes <paramref name="capability"/> from this thread's effective set.</summary>
    public static void SetEffective(int capability, bool on)
    {
        var h = new Header { Version = Version3 };
        Data* d = stackalloc Data[2];
        if (capget(&h, d) != 0) throw new InvalidOperationException($"capget failed: errno {Marshal.GetLastPInvokeError()}");
        uint bit = 1u << (capability % 32);
        if (on) d[capability / 32].Effective |= bit;
        else d[capability / 32].Effective &= ~bit;
        if (capset(&h, d) != 0) throw new InvalidOperationException($"capset failed: errno {Marshal.GetLastPInvokeError()}");
    }
}
