namespace McpEgress.Mail;

/// <summary>The TLS session a message travelled in (decrypted STARTTLS, implicit TLS or HTTPS).</summary>
/// <param name="ServerName">SNI from the ClientHello, when sent.</param>
/// <param name="Version">Negotiated version as named by the TLS layer ("TLS 1.3", "SSL 3.0"), when a ServerHello was seen.</param>
/// <param name="Cipher">Negotiated cipher suite name, when known.</param>
/// <param name="NextProtocol">ALPN protocol the server selected ("h2"), when any.</param>
/// <param name="Decrypted">Whether any record of the session could be decrypted.</param>
public sealed record TlsFacts(string? ServerName, string? Version, string? Cipher, string? NextProtocol, bool Decrypted);
