namespace McpEgress.Native;

/// <summary>The parts of statx(2) process attribution and key-log following need. <see cref="Mode"/> includes the file type bits.</summary>
public readonly record struct FileStatus(ulong Device, ulong Inode, long Size, ushort Mode, uint Uid, uint Gid)
{
    /// <summary>Permission bits only (e.g. 0o600).</summary>
    public int Permissions => Mode & 0xFFF;
}
