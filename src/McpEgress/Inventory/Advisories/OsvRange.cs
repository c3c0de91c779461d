namespace McpEgress.Inventory.Advisories;

/// <summary>An OSV <c>affected[].ranges[]</c> entry: its <c>type</c> (SEMVER, ECOSYSTEM, GIT) and events.</summary>
public sealed record OsvRange(string Type, IReadOnlyList<OsvEvent> Events);
