namespace McpEgress.Inventory.Clients;

/// <summary>
/// Gemini CLI. Source: https://github.com/google-gemini/gemini-cli/blob/main/docs/tools/mcp-server.md: <c>mcpServers</c> in
/// <c>~/.gemini/settings.json</c> (user) or <c>.gemini/settings.json</c> (project); each server has exactly one of
/// <c>command</c> (stdio, with <c>args</c>, <c>env</c>, <c>cwd</c>), <c>url</c> (SSE) or <c>httpUrl</c> (streamable HTTP).
/// </summary>
public sealed class GeminiCliConfigReader : JsonMcpConfigReader
{
    public override string ClientId => "gemini-cli";
    protected override string[] ServersPath => ["mcpServers"];
    protected override bool PlainUrlIsSse => true;
    public override IEnumerable<string> UserFiles(string home) => [Path.Combine(home, ".gemini", "settings.json")];
    public override IEnumerable<string> ProjectFiles(string projectDirectory) => [Path.Combine(projectDirectory, ".gemini", "settings.json")];
}
