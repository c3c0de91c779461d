using Prometheus;

namespace McpEgress.Export.Prometheus;

/// <summary>
/// Turns a cumulative value read from elsewhere (pcap_stats, an anomaly table) into a prometheus-net counter raised
/// with <see cref="ICounter.IncTo"/>, so the exported counter stays monotonic even when the source restarts from zero
/// (a reopened capture handle, a new pipeline): a value below the last one seen is taken as a reset and counted whole
/// on top of what was exported, as Prometheus's own rate() treats counter resets. Not thread-safe; callers serialise
/// per feed.
/// </summary>
internal sealed class CumulativeCounterFeed(ICounter counter)
{
    private long _base, _last;

    public void Observe(long cumulative)
    {
        if (cumulative < 0) return;
        if (cumulative < _last) _base += _last;
        _last = cumulative;
        counter.IncTo(_base + cumulative);
    }

    /// <summary>Forgets the last value: the next observation comes from a new source that started at zero.</summary>
    public void Reset()
    {
        _base += _last;
        _last = 0;
    }
}
