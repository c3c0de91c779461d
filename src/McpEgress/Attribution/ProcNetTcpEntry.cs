using McpEgress.Decode;

namespace McpEgress.Attribution;

/// <summary>
/// One row of /proc/net/tcp or /proc/net/tcp6. <see cref="Inode"/> is 0 for sockets no process owns any more
/// (TIME_WAIT, orphans). <see cref="Uid"/> is the socket creator's effective uid, readable without privileges.
/// </summary>
public readonly record struct ProcNetTcpEntry(Endpoint Local, Endpoint Remote, byte State, uint Uid, ulong Inode);
