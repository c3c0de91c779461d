using System.Text.Json;

namespace McpEgress.Inventory.Clients;

/// <summary>
/// VS Code (and Insiders, VSCodium). Source: code.visualstudio.com/docs/copilot/reference/mcp-configuration:
/// <c>mcp.json</c> in the workspace (<c>.vscode/mcp.json</c>) or the user profile (<c>~/.config/Code/User/mcp.json</c>
/// on Linux), with a top-level <c>servers</c> object (<c>{type: "stdio", command, args, env, envFile}</c> or
/// <c>{type: "http"|"sse", url, headers}</c>) and <c>inputs</c>. Before VS Code 1.102 user servers lived in the user
/// <c>settings.json</c> as <c>"mcp": {"servers": ...}</c> (moved to mcp.json then: redis/mcp-redis PR 57, docker/docs
/// commit "fix mcp configuration location in vscode"); both are read.
/// </summary>
public sealed class VsCodeConfigReader : JsonMcpConfigReader
{
    private static readonly string[] Products = ["Code", "Code - Insiders", "VSCodium"];

    public override string ClientId => "vscode";
    protected override string[] ServersPath => ["servers"];

    public override IEnumerable<string> UserFiles(string home)
    {
        foreach (var product in Products)
        {
            var user = Path.Combine(home, ".config", product, "User");
            yield return Path.Combine(user, "mcp.json");
            yield return Path.Combine(user, "settings.json");
        }
    }

    public override IEnumerable<string> ProjectFiles(string projectDirectory) => [Path.Combine(projectDirectory, ".vscode", "mcp.json")];

    protected override void ReadDocument(JsonConfigSource source, JsonElement root, string scope, string? project)
    {
        if (Path.GetFileName(source.File) != "settings.json")
        {
            base.ReadDocument(source, root, scope, project);
            return;
        }
        // settings.json: "mcp": {"servers": {...}}, or the flat key "mcp.servers" settings.json also allows.
        JsonServerEntry.ReadAll(source, root, ClientId, scope, project, ["mcp", "servers"]);
        JsonServerEntry.ReadAll(source, root, ClientId, scope, project, ["mcp.servers"]);
    }
}
