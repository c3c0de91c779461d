namespace McpEgress.Inventory;

/// <summary>One server's change between refreshes: <see cref="Current"/> is the new state (the last one for a server that disappeared), <see cref="Previous"/> the old one.</summary>
public sealed record McpServerChange(McpServerChangeKind Kind, McpServerState Current, McpServerState? Previous);
