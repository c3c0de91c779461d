namespace McpEgress.Inventory.Clients;

/// <summary>
/// Claude Desktop: <c>claude_desktop_config.json</c> with <c>{"mcpServers": {NAME: {command, args, env}}}</c>.
/// Source: the MCP user quickstart (modelcontextprotocol.io/quickstart/user) gives the file and shape, at
/// ~/Library/Application Support/Claude on macOS and %APPDATA%\Claude on Windows; Linux builds keep it in
/// ~/.config/Claude/claude_desktop_config.json (XDG config home; e.g. mcpbundles.com/blog/claude-desktop-and-mcp,
/// "Find Your Config File"). No project files.
/// </summary>
public sealed class ClaudeDesktopConfigReader : JsonMcpConfigReader
{
    public override string ClientId => "claude-desktop";
    protected override string[] ServersPath => ["mcpServers"];
    public override IEnumerable<string> UserFiles(string home) => [Path.Combine(home, ".config", "Claude", "claude_desktop_config.json")];
    public override IEnumerable<string> ProjectFiles(string projectDirectory) => [];
}
