namespace McpEgress.Tests.Grafana;

/// <summary>The hand-written /metrics sample is valid exposition text and covers exactly the contract.</summary>
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
        // promtool check metrics reads the exposition text on stdin; run it through sh to redirect the file.
        var r = ExternalTool.Run("sh", "a POSIX shell", null, TimeSpan.FromSeconds(60), "-c", "promtool check metrics < \"$1\"", "sh", GrafanaFiles.MetricsSample);
        Assert.True(r.ExitCode == 0, "promtool check metrics: " + r.Output);
    }
}
