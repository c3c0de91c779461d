namespace McpEgress.Detection.Egress;

/// <summary>
/// One destination of one sender, as the state database keeps it: the MCP server (<see cref="Client"/> and
/// <see cref="Server"/>: its client and name; <see cref="Client"/> empty for a sender that is no inventoried server,
/// then <see cref="Server"/> is its package or executable), the destination (<see cref="Destination"/>: SNI or HTTP
/// host, empty when the flow named none; <see cref="Ip"/>; <see cref="Port"/>), first and last seen (Unix ns),
/// connections and bytes each way.
/// </summary>
public sealed record EgressRow(
    string Client, string Server, string? Package, string? Version, string Destination, string Ip, int Port,
    long FirstSeenNs, long LastSeenNs, long Connections, long BytesOut, long BytesIn)
{
    /// <summary>True for an inventoried MCP server, false for any other attributed sender.</summary>
    public bool IsMcpServer => Client.Length > 0;
}
