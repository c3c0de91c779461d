namespace McpEgress.Inventory;

/// <summary>What an inventory scan found, and the files it could not read whole.</summary>
public sealed record InventoryResult(IReadOnlyList<McpServerRecord> Servers, IReadOnlyList<ConfigProblem> Problems, IReadOnlyList<string> HomesScanned);
