namespace McpEgress.Inventory.Instrument;

/// <summary>How a server's process can be made to write TLS key logs.</summary>
public enum KeyLogRuntime
{
    /// <summary>Nothing the config file can say makes it write key logs (<see cref="KeyLogPlan.Reason"/> says why).</summary>
    None,
    /// <summary>Node.js: <c>NODE_OPTIONS=--require PRELOAD</c> and <c>MCP_EGRESS_KEYLOG=FILE</c>.</summary>
    Node,
    /// <summary>CPython's ssl module: <c>SSLKEYLOGFILE=FILE</c>.</summary>
    Python,
}

/// <summary>
/// What <c>inventory --instrument</c> does for one configured server: the env variables to set (full new values), or
/// why it can't (remote server, container, Go binary ...), or that it already writes key logs.
/// </summary>
public sealed record KeyLogPlan(ConfiguredServer Server, KeyLogRuntime Runtime, string? KeyLogFile, IReadOnlyList<KeyValuePair<string, string>> Set,
    string? Reason, bool AlreadyInstrumented)
{
    public bool Changes => Set.Count > 0;
}
