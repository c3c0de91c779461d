using McpEgress.Decode;

namespace McpEgress.Protocols.Routing;

/// <summary>
/// A send-like call to a known mail-API host whose payload could not be turned into messages: the monitor says so
/// rather than stay silent (provider, endpoint, redacted URL, why).
/// </summary>
public sealed class MailApiUnreadableRecord
{
    public required long FlowId { get; init; }
    public required long TimestampNs { get; init; }
    public required Endpoint Source { get; init; }
    public required Endpoint Destination { get; init; }
    public required string Provider { get; init; }
    public required string Endpoint { get; init; }
    /// <summary>Bounded reason id (see MailApiUnknownReason).</summary>
    public required string Reason { get; init; }
    public string? ServerName { get; init; }
    public required string Method { get; init; }
    /// <summary>https://host + the target with credentials in the query redacted.</summary>
    public required string Url { get; init; }
    public required string HttpVersion { get; init; }
    public int ResponseStatus { get; init; }

    /// <summary>The proxy tunnel the flow's bytes ran in, if any.</summary>
    public Mail.TunnelFacts? Tunnel { get; init; }
}
