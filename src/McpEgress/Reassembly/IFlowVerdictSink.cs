namespace McpEgress.Reassembly;

/// <summary>
/// Told by <see cref="TcpReassembler"/> when a flow's <see cref="FlowVerdict"/> changes and when the flow leaves the
/// table, so a stage before reassembly (live capture) can shed a bypassed flow's packets before they are queued.
/// Called on the reassembler's thread; the key is symmetric (either endpoint order finds it).
/// </summary>
public interface IFlowVerdictSink
{
    /// <summary>
    /// The flow's verdict changed. Returns true when, for a <see cref="FlowVerdict.Bypass"/>, the sink will now drop
    /// some of the flow's packets before they reach the reassembler (it keeps SYN/FIN/RST and one packet now and then):
    /// the reassembler then takes every hole of that flow for bytes dropped on purpose and counts them as bypassed.
    /// </summary>
    bool OnVerdict(FlowKey flow, FlowVerdict verdict);

    /// <summary>The flow left the table (closed and lingered out, evicted, end of capture).</summary>
    void OnForget(FlowKey flow);
}
