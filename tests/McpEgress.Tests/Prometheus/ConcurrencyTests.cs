using McpEgress.Export.Prometheus;

namespace McpEgress.Tests.Prometheus;

public class ConcurrencyTests
{
    [Fact]
    public void ManyThreadsIncrementing_TotalIsExact()
    {
        const int Threads = 8, PerThread = 50_000;
        var r = new MetricRegistry();
        var family = r.CreateCounter("hits_total", "Hits.", "k");
        var gauge = r.CreateGauge("level", "Level.").Unlabelled;
        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                family.WithLabels("whole").Inc();       // long path
                family.WithLabels("quarter").Inc(0.25); // double CAS path (exact in binary)
                gauge.Inc(1);
                gauge.Dec(0.5);
            }
        })).ToList();
        // Scrape concurrently: must never throw or see a torn value.
        var scraper = new Thread(() => { for (int i = 0; i < 20; i++) r.ToText(); });
        threads.ForEach(t => t.Start());
        scraper.Start();
        threads.ForEach(t => t.Join());
        scraper.Join();

        Assert.Equal(Threads * PerThread, family.WithLabels("whole").Value);
        Assert.Equal(Threads * PerThread * 0.25, family.WithLabels("quarter").Value);
        Assert.Equal(Threads * PerThread * 0.5, gauge.Value);
        Assert.Contains($"hits_total{{k=\"whole\"}} {Threads * PerThread}\n", r.ToText());
    }
}
