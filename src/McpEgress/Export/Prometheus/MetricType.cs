namespace McpEgress.Export.Prometheus;

/// <summary>The metric types this registry exposes; the names are the text format's TYPE keywords.</summary>
public enum MetricType
{
    Counter,
    Gauge,
}
