namespace McpEgress.Detection;

/// <summary>How bad an alert is. Export maps these to ECS <c>event.severity</c> 21/47/73/99 (Elastic rule convention).</summary>
public enum Severity
{
    Low,
    Medium,
    High,
    Critical,
}
