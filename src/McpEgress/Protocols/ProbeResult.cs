namespace McpEgress.Protocols;

/// <summary>Answer of a protocol probe over the first bytes of a stream: checked on structure, never on a port.</summary>
public enum ProbeResult
{
    /// <summary>The bytes fit the protocol.</summary>
    Match,

    /// <summary>Too few bytes to decide; probe again with more.</summary>
    NeedMore,

    /// <summary>The bytes cannot be this protocol.</summary>
    NoMatch,
}
