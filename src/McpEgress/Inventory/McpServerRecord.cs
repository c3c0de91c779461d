using McpEgress.Attribution;

namespace McpEgress.Inventory;

/// <summary>
/// One MCP server of the host: a configured entry (client, file, name, transport, command/args or URL, env var names),
/// the package and version it resolves to (or why that can't be known offline), the processes running it, and the
/// advisories that match. A server found only running has no <see cref="Configured"/>. The unit later stages build on
/// (state history, per-server egress, instrumentation).
/// </summary>
public sealed class McpServerRecord
{
    public ConfiguredServer? Configured { get; init; }
    /// <summary>The client: the configured client's id, else the running client's id or executable name.</summary>
    public required string Client { get; set; }
    public required string Name { get; init; }
    public McpTransport Transport { get; init; }
    public SenderIdentity? Package { get; set; }
    /// <summary>Why <see cref="Package"/> is not known, when it is not (remote server, not installed yet ...).</summary>
    public string? Unresolved { get; set; }
    public List<RunningMcpProcess> Running { get; } = [];
    public List<AdvisoryMatch> Advisories { get; } = [];

    public bool IsConfigured => Configured is not null;
    public bool IsRunning => Running.Count > 0;
}
