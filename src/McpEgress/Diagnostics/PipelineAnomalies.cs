namespace McpEgress.Diagnostics;

/// <summary>
/// Anomalies of the <c>pipeline</c> stage: bugs caught where the pipeline calls a stage or an annotator, so one bad flow doesn't stop the monitor. Declared here, beside the sink, because both the protocol router and the pipeline report them.
/// Report these names, never a string literal: the catalogue is what the anomaly metrics create at zero and
/// what src/McpEgress/Diagnostics/ANOMALIES.md documents.
/// </summary>
public static class PipelineAnomalies
{
    /// <summary>An exception escaped a stage for one packet or flow; it was caught at the stage boundary and the flow carries on or is dropped.</summary>
    public const string InternalError = "internal_error";

    /// <summary>A message annotator (process attribution) threw; the message is emitted without its annotation.</summary>
    public const string AnnotatorError = "annotator_error";

    /// <summary>Every name of this stage with its description, in declaration order.</summary>
    public static IReadOnlyList<AnomalyDefinition> Table { get; } =
    [
        new(AnomalyStage.Pipeline, InternalError, "An exception escaped a stage for one packet or flow; it was caught at the stage boundary and the flow carries on or is dropped."),
        new(AnomalyStage.Pipeline, AnnotatorError, "A message annotator (process attribution) threw; the message is emitted without its annotation."),
    ];
}
