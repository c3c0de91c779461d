namespace McpEgress.Export.Prometheus;

/// <summary>
/// What the daemon's off-path process attribution and the rules waiting for a sender have done so far (cumulative
/// counts, read at each scrape): the mcp_egress_attribution_* and mcp_egress_deferred_* families.
/// </summary>
public readonly record struct AttributionCounts
{
    /// <summary>Lookups accepted and not yet taken back by the pipeline.</summary>
    public long QueueDepth { get; init; }
    /// <summary>Lookups answered, by result (<see cref="EgressLabelValues.AttributionResults"/> order).</summary>
    public long[] Lookups { get; init; }
    public long Scans { get; init; }
    public long Dropped { get; init; }
    /// <summary>Messages held for their sender, by outcome (<see cref="EgressLabelValues.DeferredOutcomes"/> order; "held" counts every one).</summary>
    public long[] Deferred { get; init; }
}
