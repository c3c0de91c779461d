using McpEgress.Export.Prometheus;

namespace McpEgress.Tests.Prometheus;

/// <summary>Reads the sample lines of an exposition back as "name{labels}" → value text, for assertions.</summary>
internal static class Exposition
{
    public static Dictionary<string, string> Samples(EgressMetrics metrics) => Samples(metrics.ToText());

    public static Dictionary<string, string> Samples(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#')) continue;
            int sp = line.LastIndexOf(' ');
            Assert.True(result.TryAdd(line[..sp], line[(sp + 1)..]), $"duplicate series {line[..sp]}");
        }
        return result;
    }
}
