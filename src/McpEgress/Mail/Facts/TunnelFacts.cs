namespace McpEgress.Mail;

/// <summary>
/// The proxy tunnel a message (or TLS session) travelled in: the flow's destination is the proxy, the tunnel's target
/// is the host the client asked it to reach.
/// </summary>
/// <param name="Type">"connect" (HTTP CONNECT), "socks4", "socks4a" or "socks5".</param>
/// <param name="TargetHost">Host name or address literal from the CONNECT authority or SOCKS request.</param>
/// <param name="TargetPort">Target port.</param>
/// <param name="ProxyAuthenticated">The client sent proxy credentials (never kept).</param>
public sealed record TunnelFacts(string Type, string TargetHost, int TargetPort, bool ProxyAuthenticated);
