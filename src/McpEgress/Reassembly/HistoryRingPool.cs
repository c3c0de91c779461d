namespace McpEgress.Reassembly;

/// <summary>
/// Full-size delivered-bytes rings (<see cref="DirectionState.History"/>) of closed flows, handed to new ones: most
/// directions reach the full ring (a TLS hello is longer than it), so without this every flow would allocate two.
/// Single-threaded, owned by one <see cref="TcpReassembler"/>; holds at most <see cref="MaxPooled"/> rings. A ring
/// comes back with the old flow's bytes in it, which is harmless: a direction only reads the offsets it wrote since
/// its <see cref="DirectionState.HistoryStart"/>.
/// </summary>
internal sealed class HistoryRingPool(int ringBytes)
{
    /// <summary>Rings kept for reuse (256 KiB at the default 256-byte ring).</summary>
    public const int MaxPooled = 1024;

    private readonly Stack<byte[]> _free = new();

    /// <summary>The ring size: <see cref="ReassemblyOptions.DeliveredHistoryBytes"/>.</summary>
    public int RingBytes { get; } = ringBytes;

    public byte[] Rent() => _free.TryPop(out var ring) ? ring : new byte[RingBytes];

    /// <summary>Takes back a ring no direction reads any more; a smaller (not yet grown) one is left to the GC.</summary>
    public void Return(byte[]? ring)
    {
        if (ring is not null && ring.Length == RingBytes && _free.Count < MaxPooled) _free.Push(ring);
    }
}
