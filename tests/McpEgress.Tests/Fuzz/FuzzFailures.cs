namespace McpEgress.Tests.Fuzz;

/// <summary>
/// Reads <c>mcp-egress-fuzz --replay</c> output (a "FAIL TARGET FILE" line, then the exception, per failing input)
/// and tells known open issues (tests/McpEgress.Fuzz/crashes/OPEN-ISSUES) from new failures.
/// </summary>
internal sealed class FuzzFailures
{
    public List<string> New { get; } = [];
    public List<string> Open { get; } = [];

    public static FuzzFailures Classify(string target, string replayOutput)
    {
        var issues = File.ReadAllLines(Path.Combine(FuzzHarness.Project, "crashes", "OPEN-ISSUES"))
            .Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split('\t'))
            .Where(f => f.Length >= 3 && f[0] == target).ToList();
        var result = new FuzzFailures();
        foreach (var block in replayOutput.Split("FAIL ").Skip(1))
        {
            var issue = issues.FirstOrDefault(f => f[1].Split('|').All(block.Contains));
            if (issue is null) result.New.Add(block);
            else result.Open.Add($"{block.Split('\n')[0]}: open issue: {issue[2]}");
        }
        return result;
    }
}
