using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace McpEgress.Native;

/// <summary>
/// The few libc calls .NET does not expose: readlink into a caller buffer (the /proc fd scan reads thousands of
/// links, so no string per link), statx (inode, owner and mode in one call; its struct layout is the same on
/// every architecture, unlike struct stat), fchown and geteuid.
/// </summary>
internal static unsafe partial class LibC
{
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint readlink(byte* path, byte* buf, nint size);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int statx(int dirfd, byte* path, int flags, uint mask, byte* buf);

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fchown(int fd, uint owner, uint group);

    [LibraryImport("libc")]
    private static partial uint getegid();

    private static int _statxMissing; // 1 when libc has no statx (glibc < 2.28, some musl builds)

    public static uint EffectiveUid => geteuid();
    public static uint EffectiveGid => getegid();

    /// <summary>fchown(2) of an open file; false on any error (e.g. not permitted).</summary>
    public static bool TryChown(SafeFileHandle handle, uint uid, uint gid)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return fchown((int)handle.DangerousGetHandle(), uid, gid) == 0;
        }
        finally { if (added) handle.DangerousRelease(); }
    }

    /// <summary>readlink(2) of a NUL-terminated UTF-8 path into <paramref name="target"/>; -1 on any error.</summary>
    public static int ReadLink(ReadOnlySpan<byte> pathZ, Span<byte> target)
    {
        fixed (byte* p = pathZ)
        fixed (byte* t = target)
        {
            nint n = readlink(p, t, target.Length);
            return n < 0 || n >= target.Length ? -1 : (int)n;
        }
    }

    public static bool TryStat(string path, out FileStatus status)
    {
        status = default;
        if (Volatile.Read(ref _statxMissing) != 0) return false;
        int max = Encoding.UTF8.GetMaxByteCount(path.Length) + 1;
        Span<byte> z = max <= 1024 ? stackalloc byte[max] : new byte[max];
        int n = Encoding.UTF8.GetBytes(path, z);
        z[n] = 0;
        fixed (byte* p = z) return Statx(AtFdCwd, p, 0, out status);
    }

    /// <summary>fstat of an open file: the inode actually being read, whatever the path points to now.</summary>
    public static bool TryStat(SafeFileHandle handle, out FileStatus status)
    {
        status = default;
        if (Volatile.Read(ref _statxMissing) != 0 || handle.IsInvalid || handle.IsClosed) return false;
        byte empty = 0;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Statx((int)handle.DangerousGetHandle(), &empty, AtEmptyPath, out status);
        }
        finally { if (added) handle.DangerousRelease(); }
    }

    private static bool Statx(int dirfd, byte* path, int flags, out FileStatus status)
    {
        status = default;
        byte* buf = stackalloc byte[256];
        try
        {
            if (statx(dirfd, path, flags, StatxBasicStats, buf) != 0) return false;
        }
        catch (EntryPointNotFoundException) { Volatile.Write(ref _statxMissing, 1); return false; }
        catch (DllNotFoundException) { Volatile.Write(ref _statxMissing, 1); return false; }
        // struct statx (linux/stat.h): uid @20, gid @24, mode @28 (u16), ino @32, size @40,
        // mtime @112 (i64 sec, u32 nsec), dev_major @136, dev_minor @140. Native byte order.
        var s = new ReadOnlySpan<byte>(buf, 256);
        status = new FileStatus(
            Device: ((ulong)MemoryMarshal.Read<uint>(s[136..]) << 32) | MemoryMarshal.Read<uint>(s[140..]),
            Inode: MemoryMarshal.Read<ulong>(s[32..]),
            Size: MemoryMarshal.Read<long>(s[40..]),
            Mode: MemoryMarshal.Read<ushort>(s[28..]),
            Uid: MemoryMarshal.Read<uint>(s[20..]),
            Gid: MemoryMarshal.Read<uint>(s[24..]));
        return true;
    }
}
