using System.Text.Json;
using McpEgress.Attribution;
using McpEgress.Inventory;
using McpEgress.Tests.Cli;

namespace McpEgress.Tests.Inventory;

/// <summary>Every client's config format (from its docs) in one fake home: what the inventory finds and resolves.</summary>
public sealed class ConfiguredInventoryTests : IDisposable
{
    private readonly FakeHome _home = new();

    public void Dispose() => _home.Dispose();

    private InventoryResult Scan() =>
        new McpInventory(new InventoryOptions { Homes = [_home.Root], ScanProcesses = false }).Scan();

    private static McpServerRecord Server(InventoryResult r, string client, string name) =>
        r.Servers.Single(s => s.Client == client && s.Name == name);

    [Fact]
    public void EveryClientFormat_IsRead()
    {
        var r = Scan();
        Assert.Empty(r.Problems);
        var names = r.Servers.Select(s => $"{s.Client}/{s.Name}").Order().ToList();
        Assert.Equal(new[]
        {
            "claude-code/db", "claude-code/github", "claude-code/sentry", "claude-desktop/fetch", "claude-desktop/postmark",
            "codex/docs", "codex/remote", "cursor/context7", "cursor/local-docs", "cursor/playwright",
            "gemini-cli/amap", "gemini-cli/git", "gemini-cli/legacy", "vscode/gh-container", "vscode/memory", "vscode/time",
            "windsurf/off", "windsurf/zapier", "zed/local-mcp-server", "zed/mcp-server-github", "zed/remote-mcp-server",
        }, names);
    }

    [Fact]
    public void ScopesProjectsAndTransports()
    {
        var r = Scan();
        var db = Server(r, "claude-code", "db");
        Assert.Equal("local", db.Configured!.Scope);
        Assert.Equal(_home.Project, db.Configured.Project);
        Assert.Equal(Path.Combine(_home.Root, ".claude.json"), db.Configured.ConfigFile);
        var sentry = Server(r, "claude-code", "sentry");
        Assert.Equal("project", sentry.Configured!.Scope);
        Assert.Equal(Path.Combine(_home.Project, ".mcp.json"), sentry.Configured.ConfigFile);
        Assert.Equal(McpTransport.Sse, sentry.Transport);
        Assert.Equal(McpTransport.Http, Server(r, "claude-code", "github").Transport);
        Assert.Equal(McpTransport.Http, Server(r, "windsurf", "zapier").Transport);
        Assert.Equal("https://actions.zapier.com/mcp/KEY/sse", Server(r, "windsurf", "zapier").Configured!.Url);
        Assert.Equal(McpTransport.Http, Server(r, "gemini-cli", "amap").Transport);
        Assert.Equal(McpTransport.Sse, Server(r, "gemini-cli", "legacy").Transport); // Gemini: url = SSE
        Assert.True(Server(r, "windsurf", "off").Configured!.Disabled);
        Assert.True(Server(r, "codex", "remote").Configured!.Disabled);
        Assert.Equal(["API_KEY", "HOME_TOKEN"], Server(r, "codex", "docs").Configured!.EnvNames);
        Assert.Equal(["EXAMPLE_TOKEN"], Server(r, "codex", "remote").Configured!.EnvNames);
        Assert.Equal("project", Server(r, "cursor", "local-docs").Configured!.Scope);
        Assert.Contains("extension", Server(r, "zed", "mcp-server-github").Unresolved);
    }

    [Fact]
    public void PackagesResolveOffline()
    {
        var r = Scan();
        // npx: the version in the npx cache, and the built-in advisory matches it.
        var postmark = Server(r, "claude-desktop", "postmark");
        Assert.Equal(new SenderIdentity(SenderKind.Npm, "postmark-mcp", "1.0.16"), postmark.Package);
        Assert.Equal("MAL-2025-47604", Assert.Single(postmark.Advisories).Id);
        // An exact version in the spec that is not installed: that version (1.0.15 predates the malicious one).
        var docs = Server(r, "codex", "docs");
        Assert.Equal("postmark-mcp@1.0.15", docs.Package!.ToString());
        Assert.Empty(docs.Advisories);
        Assert.Equal("@playwright/mcp@0.0.41", Server(r, "cursor", "playwright").Package!.ToString());
        // Not installed, no version: named, with the reason.
        var memory = Server(r, "vscode", "memory");
        Assert.Equal("@modelcontextprotocol/server-memory", memory.Package!.Name);
        Assert.Null(memory.Package.Version);
        Assert.Contains("not in the npx cache", memory.Unresolved);
        // node SCRIPT: the package.json owning it.
        Assert.Equal("db-mcp@2.1.0", Server(r, "claude-code", "db").Package!.ToString());
        // uvx: the uv tool venv's dist-info METADATA.
        Assert.Equal(new SenderIdentity(SenderKind.PyPI, "mcp-server-fetch", "2025.4.7"), Server(r, "claude-desktop", "fetch").Package);
        Assert.Equal("mcp-server-time@2025.1.1", Server(r, "vscode", "time").Package!.ToString());
        Assert.Null(Server(r, "gemini-cli", "git").Package!.Version);
        // docker run: the image, and -e names join the env names.
        var gh = Server(r, "vscode", "gh-container");
        Assert.Equal(new SenderIdentity(SenderKind.Container, "ghcr.io/github/github-mcp-server", "v0.9.0"), gh.Package);
        Assert.Contains("GITHUB_PERSONAL_ACCESS_TOKEN", gh.Configured!.EnvNames);
        // Remote servers and unknown commands are unresolved, with a reason.
        Assert.Contains("remote server", Server(r, "cursor", "context7").Unresolved);
        Assert.Contains("not found on PATH", Server(r, "windsurf", "off").Unresolved);
        Assert.Contains("no *.dist-info owns it", Server(r, "cursor", "local-docs").Unresolved);
    }

    [Fact]
    public void Cli_Json_ListsEnvNamesNeverValues()
    {
        var (code, stdout, stderr) = CliRunner.Run("inventory", "--home", _home.Root, "--json", "--no-processes");
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("pm-secret-token-value", stdout);
        Assert.DoesNotContain("postgres://u:p@h/db", stdout);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(21, doc.RootElement.GetArrayLength());
        var postmark = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("mcp_egress").GetProperty("mcp_server").GetProperty("name").GetString() == "postmark");
        var server = postmark.GetProperty("mcp_egress").GetProperty("mcp_server");
        Assert.Equal("claude-desktop", server.GetProperty("client").GetString());
        Assert.Equal(["POSTMARK_SERVER_TOKEN", "DEFAULT_SENDER_EMAIL"], server.GetProperty("env_names").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("postmark-mcp", postmark.GetProperty("package").GetProperty("name").GetString());
        Assert.Equal("1.0.16", postmark.GetProperty("package").GetProperty("version").GetString());
        Assert.Equal("MAL-2025-47604", postmark.GetProperty("vulnerability").GetProperty("id")[0].GetString());
    }

    [Fact]
    public void Cli_Table_NamesServersAndAdvisory()
    {
        var (code, stdout, stderr) = CliRunner.Run("inventory", "--home", _home.Root, "--no-processes");
        Assert.True(code == 0, stderr);
        Assert.Contains("postmark-mcp@1.0.16", stdout);
        Assert.Contains("MAL-2025-47604", stdout);
        Assert.Contains("21 MCP servers", stdout);
    }

    [Theory]
    [InlineData(".cursor/mcp.json", "{\n  \"mcpServers\": {\n    \"a\": { \"command\": \"npx\" \"args\": [] }\n  }\n}", 3, "not valid JSON")]
    [InlineData(".gemini/settings.json", "{\n  \"mcpServers\": {\n    \"a\": {\n      \"command\": \"npx\",\n      \"args\": \"-y pkg\"\n    }\n  }\n}", 5, "mcpServers.a.args: expected an array of strings, got a string")]
    [InlineData(".codex/config.toml", "model = \"x\"\n[mcp_servers.a]\ncommand = \"npx\"\nargs = [\"-y\",\n", 0, "not valid TOML")]
    public void Cli_MalformedConfig_Exit2_NamesFileLineAndWhat_AndListsTheRest(string file, string content, int line, string what)
    {
        var path = _home.Write(file, content);
        var (code, stdout, stderr) = CliRunner.Run("inventory", "--home", _home.Root, "--json", "--no-processes");
        Assert.Equal(2, code);
        var problem = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"mcp-egress: {path}:", problem);
        if (line > 0) Assert.StartsWith($"mcp-egress: {path}:{line}:", problem);
        else Assert.Matches($@"^mcp-egress: {System.Text.RegularExpressions.Regex.Escape(path)}:\d+:", problem);
        Assert.Contains(what, problem);
        // The other clients' servers are still listed.
        using var doc = JsonDocument.Parse(stdout);
        Assert.True(doc.RootElement.GetArrayLength() >= 15);
    }

    [Fact]
    public void Cli_UnknownOption_Exit1()
    {
        var (code, _, _) = CliRunner.Run("inventory", "--bogus");
        Assert.Equal(1, code);
    }
}
