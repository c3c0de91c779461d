namespace McpEgress.Export.Prometheus;

/// <summary>A gauge family: values set directly or read from callbacks at scrape time.</summary>
public sealed class Gauge : MetricFamily
{
    internal Gauge(string name, string help, string[] labelNames) : base(name, help, labelNames)
    {
        if (labelNames.Length == 0) GetOrAddSeries([]);
    }

    public override MetricType Type => MetricType.Gauge;

    /// <summary>The series for these label values (created at zero on first call). Cache it on hot paths.</summary>
    public GaugeSeries WithLabels(params string[] labelValues) => (GaugeSeries)GetOrAddSeries(labelValues);

    /// <summary>The single series of an unlabelled gauge.</summary>
    public GaugeSeries Unlabelled => WithLabels();

    private protected override MetricSeries CreateSeries(string[] labelValues, byte[] labelText) => new GaugeSeries(labelValues, labelText);
}
