using McpEgress.Diagnostics;

namespace McpEgress.Tests.Imf;

/// <summary>Records anomaly names in order, for assertions; a name outside the catalogue fails the test, reported or asked for.</summary>
internal sealed class TestAnomalies : IAnomalySink
{
    public List<string> Names { get; } = new();

    public void Report(string stage, string name)
    {
        Assert.Equal(AnomalyStage.Imf, stage);
        Assert.True(AnomalyCatalog.Contains(stage, name), $"{stage}/{name} is not catalogued");
        Names.Add(name);
    }

    public bool Has(string name)
    {
        Assert.True(AnomalyCatalog.Contains(AnomalyStage.Imf, name), $"imf/{name} is not catalogued");
        return Names.Contains(name);
    }
}
