namespace McpEgress.Export.Prometheus;

/// <summary>
/// One time series of a family: a fixed tuple of label values and a value. The label part of the sample line
/// (<c>{a="x",b="y"}</c>) is escaped and encoded once, when the series is created, so a scrape only copies bytes.
/// </summary>
public abstract class MetricSeries
{
    private protected MetricSeries(string[] labelValues, byte[] labelText)
    {
        Values = labelValues;
        LabelText = labelText;
    }

    /// <summary>The label values, in the order of the family's label names.</summary>
    public IReadOnlyList<string> LabelValues => Values;

    internal string[] Values { get; }

    internal byte[] LabelText { get; }

    internal abstract void WriteSample(PrometheusTextWriter writer, byte[] name);
}
