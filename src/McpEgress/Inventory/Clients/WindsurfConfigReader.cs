namespace McpEgress.Inventory.Clients;

/// <summary>
/// Windsurf (Cascade). Source: docs.windsurf.com/windsurf/cascade/mcp: <c>~/.codeium/windsurf/mcp_config.json</c>,
/// <c>{"mcpServers": {NAME: {command, args, env} | {serverUrl, headers}}}</c> — a remote server's address is
/// <c>serverUrl</c> (a Cursor-style <c>url</c> is read too). No project files.
/// </summary>
public sealed class WindsurfConfigReader : JsonMcpConfigReader
{
    public override string ClientId => "windsurf";
    protected override string[] ServersPath => ["mcpServers"];
    public override IEnumerable<string> UserFiles(string home) => [Path.Combine(home, ".codeium", "windsurf", "mcp_config.json")];
    public override IEnumerable<string> ProjectFiles(string projectDirectory) => [];
}
