namespace McpEgress.Protocols.Tls;

public enum TlsProbeResult
{
    NoMatch,
    NeedMore,
    Match,
}
