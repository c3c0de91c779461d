using McpEgress.Mail;
using McpEgress.Protocols.Tls;

namespace McpEgress.Protocols.Routing;

/// <summary>The TLS facts every message that travelled in decrypted TLS carries, whatever the protocol inside.</summary>
public static class TlsMessageFacts
{
    /// <summary>Facts of the session a message travelled in; null when it travelled outside TLS.</summary>
    public static TlsFacts? From(TlsSessionInfo? tls) => tls is null ? null :
        new TlsFacts(tls.ServerName, tls.VersionName, tls.CipherSuiteName, tls.AlpnSelected, tls.Decrypted);

    /// <summary>
    /// As <see cref="From(TlsSessionInfo?)"/>, reusing <paramref name="last"/> (the facts given for the flow's previous
    /// message: an immutable record) while the session still says the same, so a keep-alive connection's messages share one.
    /// </summary>
    internal static TlsFacts? From(TlsSessionInfo? tls, ref TlsFacts? last)
    {
        if (tls is null) return null;
        if (last is { } l && string.Equals(l.ServerName, tls.ServerName, StringComparison.Ordinal)
            && string.Equals(l.Version, tls.VersionName, StringComparison.Ordinal)
            && string.Equals(l.Cipher, tls.CipherSuiteName, StringComparison.Ordinal)
            && string.Equals(l.NextProtocol, tls.AlpnSelected, StringComparison.Ordinal) && l.Decrypted == tls.Decrypted)
            return l;
        return last = From(tls);
    }
}
