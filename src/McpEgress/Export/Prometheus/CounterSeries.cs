namespace McpEgress.Export.Prometheus;

/// <summary>
/// A monotonic counter series. Whole increments go to a <see cref="long"/> with <see cref="Interlocked.Add(ref long, long)"/>
/// (wait-free, exact); fractional ones to a double kept as its bits and updated with a compare-exchange loop.
/// The value is their sum, so a counter fed only whole numbers is exported as an exact integer.
/// </summary>
public sealed class CounterSeries : MetricSeries
{
    private long _whole;
    private long _fractionBits; // double bits; 0L is +0.0

    internal CounterSeries(string[] labelValues, byte[] labelText) : base(labelValues, labelText) { }

    public double Value => Volatile.Read(ref _whole) + BitConverter.Int64BitsToDouble(Volatile.Read(ref _fractionBits));

    /// <summary>Adds one.</summary>
    public void Inc() => Interlocked.Increment(ref _whole);

    /// <summary>Adds <paramref name="increment"/>; a negative increment is ignored (counters never go down).</summary>
    public void Inc(long increment)
    {
        if (increment > 0) Interlocked.Add(ref _whole, increment);
    }

    /// <summary>Adds <paramref name="increment"/>; negative, NaN and infinite increments are ignored.</summary>
    public void Inc(double increment)
    {
        if (!(increment > 0) || double.IsInfinity(increment)) return;
        if (increment <= long.MaxValue / 2 && increment == Math.Floor(increment))
        {
            Interlocked.Add(ref _whole, (long)increment);
            return;
        }
        AddFraction(increment);
    }

    /// <summary>
    /// Raises the counter to <paramref name="target"/> if it is below it; never lowers it. For values that are already
    /// cumulative elsewhere (an anomaly count read at scrape time).
    /// </summary>
    public void IncTo(double target)
    {
        if (double.IsNaN(target) || double.IsInfinity(target)) return;
        while (true)
        {
            long whole = Volatile.Read(ref _whole);
            long bits = Volatile.Read(ref _fractionBits);
            double current = whole + BitConverter.Int64BitsToDouble(bits);
            if (target <= current) return;
            // A whole increment racing in after the read only adds to the result, which is what it asked for.
            long next = BitConverter.DoubleToInt64Bits(target - whole);
            if (Interlocked.CompareExchange(ref _fractionBits, next, bits) == bits) return;
        }
    }

    private void AddFraction(double increment)
    {
        while (true)
        {
            long bits = Volatile.Read(ref _fractionBits);
            long next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(bits) + increment);
            if (Interlocked.CompareExchange(ref _fractionBits, next, bits) == bits) return;
        }
    }

    internal override void WriteSample(PrometheusTextWriter writer, byte[] name)
    {
        long whole = Volatile.Read(ref _whole);
        long bits = Volatile.Read(ref _fractionBits);
        if (bits == 0) writer.WriteSample(name, LabelText, whole);
        else writer.WriteSample(name, LabelText, whole + BitConverter.Int64BitsToDouble(bits));
    }
}
