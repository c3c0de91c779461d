using McpEgress.Attribution;

namespace McpEgress.Inventory;

/// <summary>A process found running an MCP server, with the client that started it (its nearest non-wrapper ancestor).</summary>
public sealed record RunningMcpProcess
{
    public required int Pid { get; init; }
    public uint? Uid { get; init; }
    public string? UserName { get; init; }
    public string? Executable { get; init; }
    public string? CommandLine { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public required SenderIdentity Identity { get; init; }
    /// <summary>Why it counts as an MCP server: "configured" (its command line is a configured server's), "mcp-sdk"
    /// (its npm package depends on @modelcontextprotocol/sdk), "python-mcp" (mcp or fastmcp in its Python environment).</summary>
    public required string Reason { get; init; }
    public int? ClientPid { get; init; }
    /// <summary>A known MCP client's id (claude-code, cursor, ...) when the ancestor is one.</summary>
    public string? ClientId { get; init; }
    /// <summary>The ancestor's identity (its package, else executable).</summary>
    public SenderIdentity? ClientIdentity { get; init; }
    /// <summary>pids of the wrappers between the client and the server (npx, uvx, sh -c ...).</summary>
    public IReadOnlyList<int> WrapperPids { get; init; } = [];
}
