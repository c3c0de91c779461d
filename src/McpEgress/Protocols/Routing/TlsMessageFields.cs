using McpEgress.Protocols.Tls;

namespace McpEgress.Protocols.Routing;

/// <summary>The ECS tls.* facts every message that travelled in decrypted TLS carries, whatever the protocol inside.</summary>
public static class TlsMessageFields
{
    /// <summary>ECS tls.* facts of the session a message travelled in.</summary>
    public static void Add(Dictionary<string, object?> extra, TlsSessionInfo tls)
    {
        if (tls.ServerName is { } sni) extra["tls.client.server_name"] = sni;
        if (EcsVersion(tls) is { } v)
        {
            extra["tls.version"] = v;
            extra["tls.version_protocol"] = VersionProtocol(tls); // ECS pairs them: "tls" + "1.3"
        }
        if (tls.CipherSuiteName is { } c) extra["tls.cipher"] = c;
        if (tls.AlpnSelected is { } alpn) extra["tls.next_protocol"] = alpn;
        extra["mcp_egress.tls.decrypted"] = tls.Decrypted;
    }

    /// <summary>ECS <c>tls.version_protocol</c>: "ssl" for SSL 3.0, else "tls".</summary>
    public static string VersionProtocol(TlsSessionInfo tls) =>
        tls.VersionName?.StartsWith("SSL", StringComparison.Ordinal) == true ? "ssl" : "tls";

    /// <summary>ECS <c>tls.version</c>: "1.2", "1.3" ("TLS " dropped; SSL 3.0 and unknown values kept as named).</summary>
    public static string? EcsVersion(TlsSessionInfo tls) =>
        tls.VersionName is { } v && v.StartsWith("TLS ", StringComparison.Ordinal) ? v[4..] : tls.VersionName;
}
