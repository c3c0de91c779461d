namespace McpEgress.Export.Prometheus;

/// <summary>A counter family. Names should end in <c>_total</c> (Prometheus naming conventions).</summary>
public sealed class Counter : MetricFamily
{
    internal Counter(string name, string help, string[] labelNames) : base(name, help, labelNames)
    {
        // An unlabelled counter has exactly one series, exported at zero from the start.
        if (labelNames.Length == 0) GetOrAddSeries([]);
    }

    public override MetricType Type => MetricType.Counter;

    /// <summary>The series for these label values (created at zero on first call). Cache it on hot paths.</summary>
    public CounterSeries WithLabels(params string[] labelValues) => (CounterSeries)GetOrAddSeries(labelValues);

    /// <summary>Creates the series at zero without touching its value, so it is exported before the first event.</summary>
    public void Precreate(params string[] labelValues) => GetOrAddSeries(labelValues);

    /// <summary>The single series of an unlabelled counter.</summary>
    public CounterSeries Unlabelled => WithLabels();

    private protected override MetricSeries CreateSeries(string[] labelValues, byte[] labelText) => new CounterSeries(labelValues, labelText);
}
