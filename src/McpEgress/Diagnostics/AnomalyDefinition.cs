namespace McpEgress.Diagnostics;

/// <summary>One catalogued anomaly: its stage (an <see cref="AnomalyStage"/> constant), its snake_case name and what it means.</summary>
public sealed record AnomalyDefinition(string Stage, string Name, string Description);
