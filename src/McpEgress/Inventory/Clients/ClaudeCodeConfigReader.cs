using System.Text.Json;

namespace McpEgress.Inventory.Clients;

/// <summary>
/// Claude Code. Source: code.claude.com/docs/en/mcp, "MCP installation scopes": <em>user</em> scope in
/// <c>~/.claude.json</c> top-level <c>mcpServers</c>; <em>local</em> scope (the default of <c>claude mcp add</c>) in
/// <c>~/.claude.json</c> under <c>projects.&lt;absolute project path&gt;.mcpServers</c>; <em>project</em> scope in
/// <c>.mcp.json</c> at the project root (<c>{"mcpServers": {NAME: {type, command, args, env} | {type: "http"|"sse", url}}}</c>).
/// The keys of <c>projects</c> name project folders, which are then searched for every client's project files.
/// </summary>
public sealed class ClaudeCodeConfigReader : JsonMcpConfigReader
{
    public override string ClientId => "claude-code";
    protected override string[] ServersPath => ["mcpServers"];
    public override IEnumerable<string> UserFiles(string home) => [Path.Combine(home, ".claude.json")];
    public override IEnumerable<string> ProjectFiles(string projectDirectory) => [Path.Combine(projectDirectory, ".mcp.json")];

    protected override void ReadDocument(JsonConfigSource source, JsonElement root, string scope, string? project)
    {
        base.ReadDocument(source, root, scope, project);
        if (scope != "user" || !root.TryGetProperty("projects", out var projects) || projects.ValueKind != JsonValueKind.Object) return;
        foreach (var p in projects.EnumerateObject())
        {
            if (Path.IsPathRooted(p.Name)) source.Output.Projects.Add(p.Name);
            if (p.Value.ValueKind == JsonValueKind.Object)
                JsonServerEntry.ReadAll(source, root, ClientId, "local", p.Name, ["projects", p.Name, "mcpServers"]);
        }
    }
}
