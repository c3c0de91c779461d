namespace McpEgress.Export.Prometheus;

/// <summary>
/// A gauge series: a double set directly (lock-free, kept as its bits) or read from a callback at scrape time.
/// A callback runs on the scraping thread, so it must be thread-safe and cheap; if it throws, the sample is NaN.
/// </summary>
public sealed class GaugeSeries : MetricSeries
{
    private long _bits;
    private volatile Func<double>? _callback;

    internal GaugeSeries(string[] labelValues, byte[] labelText) : base(labelValues, labelText) { }

    /// <summary>The current value: the callback's result when one is set, else the last value set.</summary>
    public double Value
    {
        get
        {
            var cb = _callback;
            if (cb is null) return BitConverter.Int64BitsToDouble(Volatile.Read(ref _bits));
            try { return cb(); }
            catch (Exception) { return double.NaN; }
        }
    }

    public void Set(double value) => Volatile.Write(ref _bits, BitConverter.DoubleToInt64Bits(value));

    public void Inc(double delta = 1)
    {
        while (true)
        {
            long bits = Volatile.Read(ref _bits);
            long next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(bits) + delta);
            if (Interlocked.CompareExchange(ref _bits, next, bits) == bits) return;
        }
    }

    public void Dec(double delta = 1) => Inc(-delta);

    /// <summary>Reads the value from <paramref name="callback"/> at every scrape; null returns to the stored value.</summary>
    public void SetCallback(Func<double>? callback) => _callback = callback;

    internal override void WriteSample(PrometheusTextWriter writer, byte[] name) => writer.WriteSample(name, LabelText, Value);
}
