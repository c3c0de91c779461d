using McpEgress.Diagnostics;

namespace McpEgress.Reassembly;

/// <summary>
/// Anomalies of the <c>reassembly</c> stage: TCP segments that don't fit the flow they belong to, and flow table or buffer limits reached.
/// Report these names, never a string literal: the catalogue is what the anomaly metrics create at zero and
/// what src/McpEgress/Diagnostics/ANOMALIES.md documents.
/// </summary>
public static class ReassemblyAnomalies
{
    /// <summary>A SYN that starts a new connection on a tuple whose flow is still open; the old flow is closed.</summary>
    public const string SynOnOpenFlow = "syn_on_open_flow";

    /// <summary>The flow table is full; the least recently active flow is evicted.</summary>
    public const string FlowTableFull = "flow_table_full";

    /// <summary>Data on a flow already closed (after RST, or FIN both ways); ignored.</summary>
    public const string DataAfterClose = "data_after_close";

    /// <summary>The peer acknowledged bytes never captured (capture loss) for longer than the grace; the hole is skipped as a gap.</summary>
    public const string AckAboveHole = "ack_above_hole";

    /// <summary>Data past a direction's FIN; ignored.</summary>
    public const string DataAfterFin = "data_after_fin";

    /// <summary>A segment too far ahead of the next expected byte; ignored.</summary>
    public const string SequenceOutOfWindow = "sequence_out_of_window";

    /// <summary>Retransmitted bytes overlap bytes already seen with different content (evasion or a broken stack); the first copy is kept.</summary>
    public const string OverlapDiffers = "overlap_differs";

    /// <summary>The out-of-order buffer of a direction is full; the hole is skipped as a gap.</summary>
    public const string OutOfOrderBufferFull = "out_of_order_buffer_full";

    /// <summary>Every name of this stage with its description, in declaration order.</summary>
    public static IReadOnlyList<AnomalyDefinition> Table { get; } =
    [
        new(AnomalyStage.Reassembly, SynOnOpenFlow, "A SYN that starts a new connection on a tuple whose flow is still open; the old flow is closed."),
        new(AnomalyStage.Reassembly, FlowTableFull, "The flow table is full; the least recently active flow is evicted."),
        new(AnomalyStage.Reassembly, DataAfterClose, "Data on a flow already closed (after RST, or FIN both ways); ignored."),
        new(AnomalyStage.Reassembly, AckAboveHole, "The peer acknowledged bytes never captured (capture loss) for longer than the grace; the hole is skipped as a gap."),
        new(AnomalyStage.Reassembly, DataAfterFin, "Data past a direction's FIN; ignored."),
        new(AnomalyStage.Reassembly, SequenceOutOfWindow, "A segment too far ahead of the next expected byte; ignored."),
        new(AnomalyStage.Reassembly, OverlapDiffers, "Retransmitted bytes overlap bytes already seen with different content (evasion or a broken stack); the first copy is kept."),
        new(AnomalyStage.Reassembly, OutOfOrderBufferFull, "The out-of-order buffer of a direction is full; the hole is skipped as a gap."),
    ];
}
