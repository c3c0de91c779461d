using McpEgress.Diagnostics;

namespace McpEgress.Export;

/// <summary>
/// Anomalies of the <c>export</c> stage: events that could not be written out.
/// Report these names, never a string literal: the catalogue is what the anomaly metrics create at zero and
/// what src/McpEgress/Diagnostics/ANOMALIES.md documents.
/// </summary>
public static class ExportAnomalies
{
    /// <summary>Events dropped because the event output could not be written (a full disk); writing is retried with every batch.</summary>
    public const string EventsDropped = "events_dropped";

    /// <summary>Every name of this stage with its description, in declaration order.</summary>
    public static IReadOnlyList<AnomalyDefinition> Table { get; } =
    [
        new(AnomalyStage.Export, EventsDropped, "Events dropped because the event output could not be written (a full disk); writing is retried with every batch."),
    ];
}
