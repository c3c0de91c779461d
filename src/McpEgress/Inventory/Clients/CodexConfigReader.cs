using Tomlyn;
using Tomlyn.Model;

namespace McpEgress.Inventory.Clients;

/// <summary>
/// OpenAI Codex CLI. Source: https://github.com/openai/codex/blob/main/docs/config.md ("MCP servers"): TOML tables <c>[mcp_servers.NAME]</c> in
/// <c>~/.codex/config.toml</c> (or <c>.codex/config.toml</c> of a trusted project) with <c>command</c>, <c>args</c>,
/// <c>env = { NAME = "value" }</c>, <c>env_vars = ["NAME"]</c> (forwarded names), <c>cwd</c> for stdio, or <c>url</c>
/// (streamable HTTP, <c>bearer_token_env_var</c>); <c>enabled = false</c> switches one off. Parsed with Tomlyn.
/// </summary>
public sealed class CodexConfigReader : IMcpConfigReader
{
    public string ClientId => "codex";
    public IEnumerable<string> UserFiles(string home) => [Path.Combine(home, ".codex", "config.toml")];
    public IEnumerable<string> ProjectFiles(string projectDirectory) => [Path.Combine(projectDirectory, ".codex", "config.toml")];

    public void Read(string file, byte[] content, string scope, string? project, ConfigReadOutput output)
    {
        string text = JsonConfigSource.Text(content);
        TomlTable model;
        try
        {
            model = TomlModelContext.Parse(text);
        }
        catch (TomlException e)
        {
            output.Problems.Add(new ConfigProblem(file, e.Line ?? 0, e.Column ?? 0, "not valid TOML: " + FirstLine(e.Message)));
            return;
        }
        if (!model.TryGetValue("mcp_servers", out var serversObj)) return;
        if (serversObj is not TomlTable servers)
        {
            output.Problems.Add(new ConfigProblem(file, LineOf(text, "mcp_servers"), 0, "mcp_servers: expected a table of servers by name"));
            return;
        }
        foreach (var (name, value) in servers)
        {
            int line = LineOf(text, "mcp_servers." + name);
            void Problem(string key, string what) => output.Problems.Add(new ConfigProblem(file, line, 0, $"mcp_servers.{name}.{key}: {what}"));
            if (value is not TomlTable t)
            {
                output.Problems.Add(new ConfigProblem(file, line, 0, $"mcp_servers.{name}: expected a table"));
                continue;
            }
            string? Str(string key)
            {
                if (!t.TryGetValue(key, out var v)) return null;
                if (v is string s) return s;
                Problem(key, "expected a string");
                return null;
            }
            List<string> Strings(string key)
            {
                var list = new List<string>();
                if (!t.TryGetValue(key, out var v)) return list;
                if (v is TomlArray arr && arr.All(x => x is string)) list.AddRange(arr.Cast<string>());
                else Problem(key, "expected an array of strings");
                return list;
            }
            var env = new List<string>();
            if (t.TryGetValue("env", out var e))
            {
                if (e is TomlTable et) env.AddRange(et.Keys);
                else Problem("env", "expected a table of variables");
            }
            env.AddRange(Strings("env_vars"));
            if (Str("bearer_token_env_var") is { } bearer) env.Add(bearer);
            var command = Str("command");
            var url = Str("url");
            output.Servers.Add(new ConfiguredServer
            {
                Client = ClientId, ConfigFile = file, Scope = scope, Project = project, Name = name, ConfigPath = ["mcp_servers", name],
                Transport = command is not null ? McpTransport.Stdio : url is not null ? McpTransport.Http : McpTransport.Unknown,
                Command = command, Args = Strings("args"), Url = url, WorkingDirectory = Str("cwd"),
                EnvNames = env.Distinct(StringComparer.Ordinal).ToList(),
                KeyLogWired = KeyLogWiring.IsWired(env, e is TomlTable nt && nt.TryGetValue(KeyLogWiring.NodeOptions, out var no) ? no as string : null),
                Disabled = t.TryGetValue("enabled", out var en) && en is false,
            });
        }
    }

    private static string FirstLine(string s)
    {
        int nl = s.IndexOf('\n');
        var line = (nl < 0 ? s : s[..nl]).Trim();
        return line.Length > 200 ? line[..200] : line;
    }

    /// <summary>The line of the table header [KEY] (or [KEY.*] for a parent), 0 when not found.</summary>
    private static int LineOf(string text, string key)
    {
        int line = 1;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var l = raw.Trim();
            if (l.StartsWith("[") && (l.Slice(1).StartsWith(key) || l.Slice(1).Trim().StartsWith(key))) return line;
            line++;
        }
        return 0;
    }
}
