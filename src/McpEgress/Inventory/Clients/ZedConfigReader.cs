using System.Text.Json;

namespace McpEgress.Inventory.Clients;

/// <summary>
/// Zed. Source: zed.dev/docs/ai/mcp ("As Custom Servers"): <c>"context_servers": {NAME: {command, args, env} |
/// {url, headers}}</c> in the settings file, which zed.dev/docs/configuring-zed places at
/// <c>~/.config/zed/settings.json</c> on Linux (JSON with <c>//</c> comments), with project settings in
/// <c>.zed/settings.json</c>. Servers installed as Zed extensions (<c>"source": "extension"</c>, or no command) get
/// their command from the extension, which is not in the file.
/// </summary>
public sealed class ZedConfigReader : JsonMcpConfigReader
{
    public override string ClientId => "zed";
    protected override string[] ServersPath => ["context_servers"];
    public override IEnumerable<string> UserFiles(string home) => [Path.Combine(home, ".config", "zed", "settings.json")];
    public override IEnumerable<string> ProjectFiles(string projectDirectory) => [Path.Combine(projectDirectory, ".zed", "settings.json")];

    protected override void ReadDocument(JsonConfigSource source, JsonElement root, string scope, string? project)
    {
        int first = source.Output.Servers.Count;
        base.ReadDocument(source, root, scope, project);
        // Older Zed settings nested the command: {"command": {"path": ..., "args": [...], "env": {...}}}.
        for (int i = first; i < source.Output.Servers.Count; i++)
        {
            var s = source.Output.Servers[i];
            if (s.Command is null && s.Url is null)
                source.Output.Servers[i] = s with { Note = "a Zed extension: its command comes from the extension, not the settings file" };
        }
    }
}
