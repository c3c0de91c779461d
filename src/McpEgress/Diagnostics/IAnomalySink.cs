namespace McpEgress.Diagnostics;

/// <summary>
/// Receives malformed-input reports from every pipeline stage. A passive monitor never throws on what it
/// sees: it names the anomaly (stage + snake_case name, like Zeek's weirds), counts it and carries on.
/// Stage names are the constants in <see cref="AnomalyStage"/>.
/// </summary>
public interface IAnomalySink
{
    void Report(string stage, string name);
}
