namespace McpEgress.Pipeline.Sharding;

/// <summary>
/// Where in the capture a shard emitted an event, so that events from every shard can be put back in the order one
/// pipeline would have emitted them: <see cref="Major"/> is the packet (or tick) number times 8 plus the phase of
/// that packet's work; <see cref="Minor1"/>/<see cref="Minor2"/> order events within a phase that several shards share:
/// the retiring flow's <see cref="Reassembly.TcpFlow.OrderStamp"/> for expiry, the parking stamp for parked TLS.
/// Compared lexicographically.
/// </summary>
public readonly record struct EmitTag(long Major, long Minor1, long Minor2) : IComparable<EmitTag>
{
    /// <summary>Packet time moved: idle flows expire, in their time order. (End of input: the same, then all close.)</summary>
    public const int Expire = 0;
    /// <summary>The packet itself, on the shard that owns its flow. (End of input: every flow closes, in time order.)</summary>
    public const int Packet = 1;
    /// <summary>Parked TLS flows retry keys (after the key log changed), in parking order.</summary>
    public const int Retry = 2;
    /// <summary>Parked TLS flows give up (hold over, end of input), in parking order.</summary>
    public const int GiveUp = 3;
    /// <summary>A tick without a packet: idle flows expire after the parked ones were served.</summary>
    public const int TickExpire = 4;

    public static long MajorOf(long number, int phase) => number * 8 + phase;

    /// <summary>The packet or tick number the event belongs to.</summary>
    public long Number => Major >> 3;

    public int CompareTo(EmitTag other)
    {
        int c = Major.CompareTo(other.Major);
        if (c != 0) return c;
        c = Minor1.CompareTo(other.Minor1);
        return c != 0 ? c : Minor2.CompareTo(other.Minor2);
    }
}
