using McpEgress.Inventory;

namespace McpEgress.Detection;

/// <summary>A finding about an MCP server of the host (not about a message): the server as inventoried and what matched.</summary>
public sealed record McpServerAlert(string RuleId, string RuleName, Severity Severity, string Message, McpServerState Server,
    AdvisoryMatch Advisory, long TimestampNs);
