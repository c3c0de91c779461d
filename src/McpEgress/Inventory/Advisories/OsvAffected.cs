namespace McpEgress.Inventory.Advisories;

/// <summary>An OSV <c>affected[]</c> entry: the package (<c>ecosystem</c>, <c>name</c>), its ranges and its exact <c>versions</c>.</summary>
public sealed record OsvAffected(string Ecosystem, string Name, IReadOnlyList<OsvRange> Ranges, IReadOnlyList<string> Versions);
