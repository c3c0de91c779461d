namespace McpEgress.Export.Prometheus;

/// <summary>The labels of one <c>mcp_egress_mcp_server_info</c> series; empty strings for unknown package/version and no advisory.</summary>
public sealed record McpServerInfoLabels(string Client, string Server, string Package, string Version, bool Instrumented, string Advisory)
{
    /// <summary>In the metric's label order: client, server, package, version, instrumented, advisory.</summary>
    public string[] Values() => [Client, Server, Package, Version, Instrumented ? "true" : "false", Advisory];
}
