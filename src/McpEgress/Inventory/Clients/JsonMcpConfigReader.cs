namespace McpEgress.Inventory.Clients;

/// <summary>A client whose config is a JSON (with comments) file holding an object of servers by name at <see cref="ServersPath"/>.</summary>
public abstract class JsonMcpConfigReader : IMcpConfigReader
{
    public abstract string ClientId { get; }
    public abstract IEnumerable<string> UserFiles(string home);
    public abstract IEnumerable<string> ProjectFiles(string projectDirectory);

    /// <summary>Object keys from the root to the servers object, e.g. ["mcpServers"].</summary>
    protected abstract string[] ServersPath { get; }

    /// <summary>True where a bare "url" means the SSE transport.</summary>
    protected virtual bool PlainUrlIsSse => false;

    public virtual void Read(string file, byte[] content, string scope, string? project, ConfigReadOutput output)
    {
        var source = new JsonConfigSource(file, content, output);
        using var doc = source.Parse();
        if (doc is null) return;
        if (doc.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            output.Problems.Add(new ConfigProblem(file, 1, 1, $"expected a JSON object at the top, got {JsonServerEntry.Kind(doc.RootElement)}"));
            return;
        }
        ReadDocument(source, doc.RootElement, scope, project);
    }

    protected virtual void ReadDocument(JsonConfigSource source, System.Text.Json.JsonElement root, string scope, string? project) =>
        JsonServerEntry.ReadAll(source, root, ClientId, scope, project, ServersPath, PlainUrlIsSse);
}
