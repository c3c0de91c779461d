namespace McpEgress.Decode;

public enum DecodeResult
{
    /// <summary>A TCP segment was produced.</summary>
    Tcp,
    /// <summary>A well-formed packet that is not TCP (UDP, ARP, ICMP, ...); ignored.</summary>
    NotTcp,
    /// <summary>An IP fragment was stored; the datagram is not complete yet.</summary>
    FragmentHeld,
    /// <summary>Malformed or truncated; an anomaly was reported.</summary>
    Malformed,
    /// <summary>A link type the decoder does not know; an anomaly was reported.</summary>
    UnsupportedLinkType,
}
