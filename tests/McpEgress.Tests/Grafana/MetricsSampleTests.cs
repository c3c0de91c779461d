namespace McpEgress.Tests.Grafana;

/// <summary>The generated /metrics sample is valid exposition text and covers exactly the contract.</summary>
public class MetricsSampleTests
{
    [Fact]
    public void SampleMatchesTheContract()
    {
        var sample = MetricsSample.Labels();
        Assert.Equal(MetricsSample.Contract.Keys.Order(StringComparer.Ordinal), sample.Keys.Order(StringComparer.Ordinal));
        foreach (var (metric, labels) in MetricsSample.Contract)
            Assert.True(sample[metric].SetEquals(labels), $"{metric}: sample labels {string.Join(",", sample[metric])}, contract {string.Join(",", labels)}");
    }

    [Fact]
    public void PromtoolAcceptsTheSample()
    {
        string promtool = Prometheus.ExternalTool.Require("promtool");
        var (exit, output) = Prometheus.ExternalTool.Run(promtool, "check metrics", MetricsSample.Text, TimeSpan.FromSeconds(60));
        Assert.True(exit == 0 && output.Trim().Length == 0, $"promtool check metrics (exit {exit}): {output}");
    }

    [Fact]
    public void EveryShippedCaptureIsReplayed()
    {
        // 45 captures today (15 api, 2 extra, 13 smtp, 15 tls); a capture added later is picked up by the glob.
        Assert.True(MetricsSample.Captures().Count >= 45, "captures: " + MetricsSample.Captures().Count);
        foreach (var dir in new[] { "api", "extra", "smtp", "tls" })
            Assert.Contains(MetricsSample.Captures(), c => c.Contains($"/captures/{dir}/", StringComparison.Ordinal));
    }
}
