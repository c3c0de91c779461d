namespace McpEgress.Inventory.Advisories;

/// <summary>One event of an OSV range: <c>introduced</c>, <c>fixed</c>, <c>last_affected</c> or <c>limit</c>, at a version ("0" = before every version).</summary>
public readonly record struct OsvEvent(string Kind, string Version);
