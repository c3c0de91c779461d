using System.Text.Json;

namespace McpEgress.Inventory.Clients;

/// <summary>
/// Reads one server object of the shape every JSON client shares — <c>command</c>, <c>args</c>, <c>env</c>,
/// <c>cwd</c> for stdio; <c>url</c> (Windsurf: <c>serverUrl</c>, Gemini CLI: <c>httpUrl</c>) and optional
/// <c>type</c> for remote servers; <c>disabled</c> — into a <see cref="ConfiguredServer"/>. Shape errors become
/// problems at the property's line; the entry is kept with what could be read.
/// </summary>
public static class JsonServerEntry
{
    /// <param name="plainUrlIsSse">True where a bare <c>url</c> means SSE (Gemini CLI: <c>url</c> = SSE, <c>httpUrl</c> = streamable HTTP).</param>
    public static ConfiguredServer? Read(JsonConfigSource source, string client, string scope, string? project,
        IReadOnlyList<string> path, string name, JsonElement entry, bool plainUrlIsSse = false)
    {
        string[] P(string key) => [.. path, name, key];
        if (entry.ValueKind != JsonValueKind.Object)
        {
            source.Problem([.. path, name], $"expected an object (the server's settings), got {Kind(entry)}");
            return null;
        }
        string? command = String(source, entry, "command", P("command"));
        var args = new List<string>();
        if (entry.TryGetProperty("args", out var a))
        {
            if (a.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in a.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String) args.Add(item.GetString()!);
                    else { source.Problem(P("args"), $"expected an array of strings, found {Kind(item)}"); break; }
                }
            }
            else if (a.ValueKind != JsonValueKind.Null) source.Problem(P("args"), $"expected an array of strings, got {Kind(a)}");
        }
        var env = EnvNames(source, entry, "env", P("env"));
        string? url = null;
        McpTransport transport = McpTransport.Unknown;
        foreach (var (key, t) in new[] { ("url", plainUrlIsSse ? McpTransport.Sse : McpTransport.Http), ("serverUrl", McpTransport.Http), ("httpUrl", McpTransport.Http) })
        {
            if (String(source, entry, key, P(key)) is { } u) { url = u; transport = t; break; }
        }
        if (String(source, entry, "type", P("type")) is { } type)
        {
            transport = type.ToLowerInvariant() switch
            {
                "stdio" => McpTransport.Stdio,
                "sse" => McpTransport.Sse,
                "http" or "streamable-http" or "streamablehttp" or "streamable_http" => McpTransport.Http,
                _ => transport,
            };
        }
        if (transport == McpTransport.Unknown && command is not null) transport = McpTransport.Stdio;
        bool disabled = entry.TryGetProperty("disabled", out var d) && d.ValueKind == JsonValueKind.True
            || entry.TryGetProperty("enabled", out var en) && en.ValueKind == JsonValueKind.False;
        return new ConfiguredServer
        {
            Client = client, ConfigFile = source.File, Scope = scope, Project = project, Name = name, ConfigPath = [.. path, name],
            Transport = transport, Command = command, Args = args, Url = url,
            WorkingDirectory = String(source, entry, "cwd", P("cwd")),
            EnvNames = env, Disabled = disabled, KeyLogWired = KeyLogWiring.IsWired(env, NodeOptions(entry, "env")),
        };
    }

    /// <summary>Reads every entry of the servers object at <paramref name="path"/> below <paramref name="root"/>.</summary>
    public static void ReadAll(JsonConfigSource source, JsonElement root, string client, string scope, string? project,
        IReadOnlyList<string> path, bool plainUrlIsSse = false)
    {
        var servers = root;
        foreach (var key in path)
        {
            if (servers.ValueKind != JsonValueKind.Object || !servers.TryGetProperty(key, out servers)) return;
        }
        if (servers.ValueKind == JsonValueKind.Null) return;
        if (servers.ValueKind != JsonValueKind.Object)
        {
            source.Problem(path, $"expected an object of servers by name, got {Kind(servers)}");
            return;
        }
        foreach (var p in servers.EnumerateObject())
            if (Read(source, client, scope, project, path, p.Name, p.Value, plainUrlIsSse) is { } s) source.Output.Servers.Add(s);
    }

    /// <summary>The names of an env object (values are never read).</summary>
    public static List<string> EnvNames(JsonConfigSource source, JsonElement entry, string key, IReadOnlyList<string> path)
    {
        var names = new List<string>();
        if (!entry.TryGetProperty(key, out var env) || env.ValueKind == JsonValueKind.Null) return names;
        if (env.ValueKind != JsonValueKind.Object)
        {
            source.Problem(path, $"expected an object of variables, got {Kind(env)}");
            return names;
        }
        foreach (var p in env.EnumerateObject()) names.Add(p.Name);
        return names;
    }

    /// <summary>The NODE_OPTIONS value of an env object, read only to decide <see cref="KeyLogWiring.IsWired"/>.</summary>
    public static string? NodeOptions(JsonElement entry, string key) =>
        entry.TryGetProperty(key, out var env) && env.ValueKind == JsonValueKind.Object
        && env.TryGetProperty(KeyLogWiring.NodeOptions, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string? String(JsonConfigSource source, JsonElement entry, string key, IReadOnlyList<string> path)
    {
        if (!entry.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String) return v.GetString();
        source.Problem(path, $"expected a string, got {Kind(v)}");
        return null;
    }

    public static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
