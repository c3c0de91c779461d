using McpEgress.Config;
using McpEgress.Pipeline;

namespace McpEgress.Tests.Config;

/// <summary><c>replay.workers</c> and <c>watch.workers</c>: bound, checked, defaulted to the cores, written back.</summary>
public sealed class WorkersConfigTests
{
    private static McpEgressConfig Parse(string yaml) => ConfigLoader.Parse(yaml, "yaml", "w.yaml");

    private static string[] Errors(string yaml) =>
        Assert.Throws<ConfigException>(() => Parse(yaml)).Errors.Select(e => e.ToString()).ToArray();

    [Fact]
    public void DefaultIsTheNumberOfCores()
    {
        var c = Parse("detection: {}\n");
        Assert.Equal(Math.Min(Environment.ProcessorCount, ReplayOptions.MaxWorkers), c.Replay.Workers);
        Assert.Equal(c.Replay.Workers, c.Watch.Workers);
    }

    [Fact]
    public void BothKeysBindAndAreWrittenBack()
    {
        var c = Parse("replay:\n  workers: 3\nwatch:\n  workers: 5\n");
        Assert.Equal(3, c.Replay.Workers);
        Assert.Equal(5, c.Watch.Workers);
        string yaml = ConfigYamlWriter.Write(c); // what `mcp-egress config check` prints
        Assert.Contains("replay:\n  workers: 3\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  workers: 5\n", yaml, StringComparison.Ordinal);
        var again = Parse(yaml);
        Assert.Equal((3, 5), (again.Replay.Workers, again.Watch.Workers));
    }

    [Theory]
    [InlineData("replay:\n  workers: 0\n", "w.yaml:2:3: replay.workers: expected a whole number of workers from 1 to 256, got the number 0")]
    [InlineData("watch:\n  workers: 257\n", "w.yaml:2:3: watch.workers: expected a whole number of workers from 1 to 256, got the number 257")]
    [InlineData("replay:\n  workers: \"2\"\n", "w.yaml:2:3: replay.workers: expected a whole number of workers from 1 to 256, got the string \"2\"")]
    [InlineData("replay:\n  threads: 2\n", "w.yaml:2:3: replay.threads: unknown key \"threads\" (expected one of: workers)")]
    public void BadValuesAreErrors(string yaml, string expected) => Assert.Equal([expected], Errors(yaml));
}
