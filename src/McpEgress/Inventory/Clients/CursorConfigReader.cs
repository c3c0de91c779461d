namespace McpEgress.Inventory.Clients;

/// <summary>
/// Cursor. Source: cursor.com/docs/mcp, "Configuration locations": global <c>~/.cursor/mcp.json</c>, project
/// <c>.cursor/mcp.json</c>; <c>{"mcpServers": {NAME: {command, args, env} | {url, headers}}}</c> (Cursor tells SSE from
/// streamable HTTP itself).
/// </summary>
public sealed class CursorConfigReader : JsonMcpConfigReader
{
    public override string ClientId => "cursor";
    protected override string[] ServersPath => ["mcpServers"];
    public override IEnumerable<string> UserFiles(string home) => [Path.Combine(home, ".cursor", "mcp.json")];
    public override IEnumerable<string> ProjectFiles(string projectDirectory) => [Path.Combine(projectDirectory, ".cursor", "mcp.json")];
}
