namespace McpEgress.Decode;

/// <summary>One slot of the <see cref="FragmentTable"/>: the bytes and received ranges of one datagram.</summary>
internal sealed class FragmentDatagram
{
    public FragmentDatagram(int maxFragments) => Ranges = new (int Start, int End)[maxFragments];

    public bool InUse;
    public FragmentKey Key;
    public long FirstSeenNs;
    /// <summary>Rented from the shared pool while in use.</summary>
    public byte[]? Buffer;
    /// <summary>Payload length, known once the last fragment (more-fragments clear) arrived; -1 before.</summary>
    public int TotalLength;
    /// <summary>Protocol / next header of the offset-zero fragment; -1 before it arrived.</summary>
    public int Protocol;
    public int ReceivedBytes;
    public readonly (int Start, int End)[] Ranges;
    public int RangeCount;
}
