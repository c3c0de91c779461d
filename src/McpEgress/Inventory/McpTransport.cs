namespace McpEgress.Inventory;

/// <summary>How an MCP client talks to a server (MCP spec, "Transports"): a child process over stdio, or a URL.</summary>
public enum McpTransport
{
    Unknown,
    Stdio,
    /// <summary>Streamable HTTP.</summary>
    Http,
    /// <summary>HTTP with server-sent events (the 2024-11-05 transport).</summary>
    Sse,
}
