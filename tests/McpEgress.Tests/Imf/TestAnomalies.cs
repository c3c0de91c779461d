using McpEgress.Diagnostics;

namespace McpEgress.Tests.Imf;

/// <summary>Records anomaly names in order, for assertions.</summary>
internal sealed class TestAnomalies : IAnomalySink
{
    public List<string> Names { get; } = new();

    public void Report(string stage, string name)
    {
        Assert.Equal(AnomalyStage.Imf, stage);
        Names.Add(name);
    }

    public bool Has(string name) => Names.Contains(name);
}
