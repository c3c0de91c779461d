using McpEgress.Inventory;

namespace McpEgress.Detection;

/// <summary>
/// A configured or running MCP server whose package and version an advisory names (OSV malicious-package or
/// vulnerability record, e.g. MAL-2025-47604 for postmark-mcp from 1.0.16): one alert per server and advisory, raised
/// when the server is first seen matching (it appeared, or changed to a matching version, or an advisory was added),
/// not again at every inventory refresh.
/// </summary>
public sealed class McpServerAdvisoryRule(Severity severity = McpServerAdvisoryRule.DefaultSeverity)
{
    public const string RuleId = "mcp-server-advisory";
    public const string RuleName = "MCP server matches a malicious-package or vulnerability advisory";
    public const Severity DefaultSeverity = Severity.Critical;

    public Severity Severity { get; } = severity;

    /// <summary>The alerts for <paramref name="now"/>: advisories it matches that <paramref name="before"/> (the same server at the last refresh, if any) did not.</summary>
    public void Evaluate(McpServerState now, McpServerState? before, long timestampNs, List<McpServerAlert> alerts)
    {
        foreach (var a in now.Advisories)
        {
            if (before is not null && before.Version == now.Version && before.Advisories.Any(b => b.Id == a.Id)) continue;
            string package = now.Version is null ? now.Package ?? "?" : $"{now.Package}@{now.Version}";
            string kind = a.Malicious ? "malicious-package" : "vulnerability";
            alerts.Add(new McpServerAlert(RuleId, RuleName, Severity,
                $"MCP server {now.Name} ({now.Client}{(now.ConfigFile is null ? "" : ", " + now.ConfigFile)}) runs {package}, named by {kind} advisory {a.Id}"
                + (a.Summary is null ? "." : $": {a.Summary}"), now, a, timestampNs));
        }
    }
}
