namespace McpEgress.Detection.Egress;

/// <summary>
/// Bounds of the <see cref="EgressTracker"/>'s table. Past a bound nothing new is added and the overflow is counted
/// (<see cref="EgressTracker.ServerOverflow"/>, <see cref="EgressTracker.DestinationOverflow"/>, exported as
/// <c>mcp_egress_egress_overflow_total</c>); what is already tracked keeps being counted.
/// </summary>
public sealed class EgressOptions
{
    public static EgressOptions Default { get; } = new();

    /// <summary>Inventoried MCP servers (client and name) tracked. Default 256.</summary>
    public int MaxServers { get; init; } = 256;

    /// <summary>
    /// Other attributed senders (package or executable; no new-destination events) tracked, in a bound of their own so
    /// they never crowd out an MCP server. Default 256; 0: only MCP servers.
    /// </summary>
    public int MaxOtherSenders { get; init; } = 256;

    /// <summary>Destinations (name, IP, port) kept per sender. Default 1024.</summary>
    public int MaxDestinationsPerServer { get; init; } = 1024;

    /// <summary>
    /// Flow summaries whose process is not known yet, kept (oldest evicted first) for a process resolved after the flow
    /// (<see cref="EgressTracker.OnSenderResolved"/>). Default 4096; 0: summaries without a process are ignored (the daemon without process attribution).
    /// </summary>
    public int MaxPendingFlows { get; init; } = 4096;

    /// <summary>Late-resolved processes kept for flows that are still open (their summary joins them by flow key). Default 4096.</summary>
    public int MaxResolvedFlows { get; init; } = 4096;

    /// <summary>Longest destination name kept (SNI or Host; a DNS name is at most 253). Longer names are cut.</summary>
    public int MaxNameLength { get; init; } = 253;
}
