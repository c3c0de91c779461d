namespace McpEgress.Export.Prometheus;

/// <summary>The metrics endpoint could not be started (address in use, not permitted, unknown host).</summary>
public sealed class MetricsServerException(string message, Exception? inner = null) : Exception(message, inner);
