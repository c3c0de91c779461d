namespace McpEgress.Export.Prometheus;

/// <summary>
/// Turns a cumulative value read from elsewhere (pcap_stats, an anomaly table) into increments of a
/// <see cref="CounterSeries"/>, so the exported counter stays monotonic even when the source restarts from zero
/// (a reopened capture handle, a new pipeline): a value below the last one seen is taken as a reset and counted whole,
/// as Prometheus's own rate() treats counter resets. Not thread-safe; callers serialise per feed.
/// </summary>
internal sealed class CumulativeCounterFeed(CounterSeries series)
{
    private long _last;

    public CounterSeries Series { get; } = series;

    public void Observe(long cumulative)
    {
        if (cumulative < 0) return;
        long delta = cumulative >= _last ? cumulative - _last : cumulative;
        _last = cumulative;
        Series.Inc(delta);
    }

    /// <summary>Forgets the last value: the next observation comes from a new source that started at zero.</summary>
    public void Reset() => _last = 0;
}
