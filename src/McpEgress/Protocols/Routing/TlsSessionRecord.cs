using McpEgress.Decode;
using McpEgress.Mail;
using McpEgress.Protocols.Tls;

namespace McpEgress.Protocols.Routing;

/// <summary>
/// One TLS connection as the monitor saw it, emitted when it ends, whether or not it could be decrypted — so opaque
/// traffic to mail hosts stays visible (a missing key log shows up as decrypted=false).
/// </summary>
public sealed class TlsSessionRecord
{
    public required long FlowId { get; init; }
    public required Endpoint Source { get; init; }
    public required Endpoint Destination { get; init; }
    public required long StartTimestampNs { get; init; }
    public required long EndTimestampNs { get; init; }
    public required TlsSessionInfo Info { get; init; }
    /// <summary>"smtp" or "http" when the decrypted stream was recognised; null otherwise.</summary>
    public string? ApplicationProtocol { get; init; }
    /// <summary>TLS began inside SMTP with STARTTLS.</summary>
    public bool StartTls { get; init; }
    /// <summary>The owning process, from the <see cref="IFlowAnnotator"/>; null when none.</summary>
    public ProcessFacts? Process { get; init; }

    /// <summary>The proxy tunnel the flow's bytes ran in, if any.</summary>
    public Mail.TunnelFacts? Tunnel { get; init; }
}
