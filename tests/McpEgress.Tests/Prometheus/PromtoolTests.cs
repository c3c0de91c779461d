namespace McpEgress.Tests.Prometheus;

/// <summary><c>promtool check metrics</c> lints an exposition: format, naming conventions (_total, units), HELP.</summary>
public class PromtoolTests
{
    [Fact]
    public void FullyPopulatedEgressMetrics_PassPromtoolCheckMetrics()
    {
        string promtool = ExternalTool.Require("promtool");
        string text = EgressMetricsTests.FullyPopulated().ToText();

        var (exit, output) = ExternalTool.Run(promtool, "check metrics", text, TimeSpan.FromSeconds(30));

        Assert.True(exit == 0 && output.Trim().Length == 0, $"promtool check metrics reported (exit {exit}):\n{output}\n--- exposition ---\n{text}");
    }

    [Fact]
    public void Promtool_CatchesAProblem()
    {
        // Guards the test above against a promtool that accepts anything: a counter without _total is a lint problem.
        string promtool = ExternalTool.Require("promtool");
        var (exit, output) = ExternalTool.Run(promtool, "check metrics", "# HELP bad_counter B.\n# TYPE bad_counter counter\nbad_counter 1\n", TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, exit);
        Assert.Contains("bad_counter", output);
    }
}
