using McpEgress.Mail;
using McpEgress.Protocols.Tls;

namespace McpEgress.Protocols.Routing;

/// <summary>The TLS facts every message that travelled in decrypted TLS carries, whatever the protocol inside.</summary>
public static class TlsMessageFacts
{
    /// <summary>Facts of the session a message travelled in; null when it travelled outside TLS.</summary>
    public static TlsFacts? From(TlsSessionInfo? tls) => tls is null ? null :
        new TlsFacts(tls.ServerName, tls.VersionName, tls.CipherSuiteName, tls.AlpnSelected, tls.Decrypted);
}
