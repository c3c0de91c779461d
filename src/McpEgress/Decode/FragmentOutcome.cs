namespace McpEgress.Decode;

internal enum FragmentOutcome
{
    /// <summary>Stored (or an exact duplicate ignored); the datagram is not complete.</summary>
    Held,
    /// <summary>The datagram is complete; its payload is returned.</summary>
    Completed,
    /// <summary>The fragment, and possibly its datagram, was discarded; an anomaly was reported.</summary>
    Dropped,
}
