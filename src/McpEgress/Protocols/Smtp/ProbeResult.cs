namespace McpEgress.Protocols.Smtp;

/// <summary>Answer of a protocol probe on the first bytes of a connection.</summary>
public enum ProbeResult
{
    Match,
    NeedMore,
    NoMatch,
}
