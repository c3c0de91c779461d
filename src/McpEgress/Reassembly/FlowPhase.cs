namespace McpEgress.Reassembly;

internal enum FlowPhase : byte
{
    /// <summary>In the active (LRU) list.</summary>
    Open,

    /// <summary>Both FINs seen but holes remain: waits in the linger list for missing data, not yet reported closed.</summary>
    Closing,

    /// <summary>Reported closed; lingers so late segments are recognised.</summary>
    Closed,
}
