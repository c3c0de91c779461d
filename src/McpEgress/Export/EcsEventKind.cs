namespace McpEgress.Export;

/// <summary>What an event line is about, for counting events written and dropped.</summary>
public enum EcsEventKind
{
    /// <summary>A message event, or an unreadable mail-API call (a message whose recipients are unknown).</summary>
    Message,
    Alert,
    Tls,
    /// <summary>An MCP server inventory change (appeared, version changed, disappeared).</summary>
    Inventory,
}
