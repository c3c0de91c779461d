using McpEgress.Protocols.Http;
using McpEgress.Protocols.Imf;
using McpEgress.Protocols.MailApis;
using McpEgress.Protocols.Smtp;
using McpEgress.Protocols.Tls;

namespace McpEgress.Protocols.Routing;

/// <summary>The options of every protocol parser, gathered so a config file can set them in one place.</summary>
public sealed class ProtocolSettings
{
    public ProtocolOptions Protocol { get; init; } = new();
    public SmtpOptions Smtp { get; init; } = new();
    public ImfOptions Imf { get; init; } = new();
    public TlsOptions Tls { get; init; } = new();
    public TlsKeyLogOptions KeyLog { get; init; } = new();
    public HttpOptions Http { get; init; } = new();
    public MailApiOptions MailApi { get; init; } = new();
    public Tunnels.TunnelOptions Tunnel { get; init; } = new();
}
