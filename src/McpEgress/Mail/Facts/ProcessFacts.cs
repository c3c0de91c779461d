namespace McpEgress.Mail;

/// <summary>
/// The local process that opened the message's connection, as the host attribution found it. Every member may be
/// missing: the process may have exited, or the monitor may lack the right to read it.
/// </summary>
public sealed record ProcessFacts
{
    public int? Pid { get; init; }
    /// <summary>File name of the executable ("node").</summary>
    public string? Name { get; init; }
    public string? Executable { get; init; }
    public string? CommandLine { get; init; }
    public uint? UserId { get; init; }
    public string? UserName { get; init; }
    /// <summary>npm package that owns the script a Node process runs.</summary>
    public string? Package { get; init; }
    public string? PackageVersion { get; init; }
    /// <summary>The inventoried MCP server this process runs (watch with the inventory on), its client, and whether it writes key logs the daemon reads.</summary>
    public string? McpServer { get; init; }
    public string? McpClient { get; init; }
    public bool McpServerInstrumented { get; init; }
}
