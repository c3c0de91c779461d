namespace McpEgress.Inventory;

/// <summary>An advisory that names a server's package and version: its id, summary, and whether a version list or a range matched.</summary>
public sealed record AdvisoryMatch(string Id, string? Summary, string MatchedBy, bool Malicious);
