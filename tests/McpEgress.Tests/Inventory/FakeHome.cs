namespace McpEgress.Tests.Inventory;

/// <summary>
/// A home folder with one config file per MCP client, each written from the client's documentation (the shapes cited
/// beside each reader in src/McpEgress/Inventory/Clients): comments and trailing commas where the format allows them,
/// Claude Code's per-project entries, project files, remote servers, and installed packages for the resolver (an npx
/// cache entry, a uv tool venv with a dist-info). Deleted on dispose.
/// </summary>
internal sealed class FakeHome : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("mcp-egress-home-").FullName;
    public string Project => Path.Combine(Root, "src", "webapp");

    public FakeHome()
    {
        // Claude Desktop (Linux: ~/.config/Claude/claude_desktop_config.json).
        Write(".config/Claude/claude_desktop_config.json", """
        {
          "mcpServers": {
            "postmark": {
              "command": "npx",
              "args": ["-y", "postmark-mcp"],
              "env": { "POSTMARK_SERVER_TOKEN": "pm-secret-token-value", "DEFAULT_SENDER_EMAIL": "me@corp.example" }
            },
            "fetch": { "command": "uvx", "args": ["mcp-server-fetch"] }
          }
        }
        """);
        // Claude Code: user scope at the top, local scope under projects.<path>, project scope in .mcp.json.
        Write(".claude.json", $$"""
        {
          "numStartups": 12,
          "mcpServers": {
            "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/", "headers": { "Authorization": "Bearer x" } }
          },
          "projects": {
            "{{Project}}": {
              "allowedTools": [],
              "mcpServers": {
                "db": { "type": "stdio", "command": "node", "args": ["{{Root}}/tools/db-mcp/index.js"], "env": { "DATABASE_URL": "postgres://u:p@h/db" } }
              }
            }
          }
        }
        """);
        Write("src/webapp/.mcp.json", """
        {
          "mcpServers": {
            "sentry": { "type": "sse", "url": "https://mcp.sentry.dev/sse" }
          }
        }
        """);
        // Cursor: JSON with comments and a trailing comma.
        Write(".cursor/mcp.json", """
        {
          // global servers
          "mcpServers": {
            "context7": { "url": "https://mcp.context7.com/mcp", "headers": { "CONTEXT7_API_KEY": "${env:CONTEXT7_API_KEY}" } },
            "playwright": { "command": "npx", "args": ["-y", "@playwright/mcp@0.0.41"], },
          },
        }
        """);
        Write("src/webapp/.cursor/mcp.json", """{ "mcpServers": { "local-docs": { "command": "python3", "args": ["-m", "docs_mcp"] } } }""");
        // VS Code: mcp.json "servers" (user profile and workspace), and the older settings.json "mcp": {"servers"}.
        Write(".config/Code/User/mcp.json", """
        {
          "inputs": [ { "type": "promptString", "id": "api-key", "description": "API key", "password": true } ],
          "servers": {
            "memory": { "type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "env": { "API_KEY": "${input:api-key}" } },
          }
        }
        """);
        Write(".config/Code/User/settings.json", """
        {
          /* editor */ "editor.fontSize": 14,
          "mcp": { "servers": { "time": { "command": "uvx", "args": ["mcp-server-time==2025.1.1"] } } }
        }
        """);
        Write("src/webapp/.vscode/mcp.json", """{ "servers": { "gh-container": { "type": "stdio", "command": "docker", "args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server:v0.9.0"] } } }""");
        // Windsurf: serverUrl for remote servers.
        Write(".codeium/windsurf/mcp_config.json", """
        { "mcpServers": { "zapier": { "serverUrl": "https://actions.zapier.com/mcp/KEY/sse" }, "off": { "command": "mystery-server", "disabled": true } } }
        """);
        // Gemini CLI: command / url (SSE) / httpUrl (streamable HTTP).
        Write(".gemini/settings.json", """
        {
          "theme": "Dracula",
          "mcpServers": {
            "git": { "command": "uvx", "args": ["mcp-server-git"], "env": { "GIT_TOKEN": "$GIT_TOKEN" }, "timeout": 5000 },
            "amap": { "httpUrl": "https://mcp.amap.com/mcp?key=k" },
            "legacy": { "url": "http://localhost:8080/sse" }
          }
        }
        """);
        // Codex: TOML tables.
        Write(".codex/config.toml", """
        model = "o4-mini"

        # MCP servers
        [mcp_servers.docs]
        command = "npx"
        args = ["-y", "postmark-mcp@1.0.15"]
        env = { "API_KEY" = "value" }
        env_vars = ["HOME_TOKEN"]

        [mcp_servers.remote]
        url = "https://mcp.example.com/mcp"
        bearer_token_env_var = "EXAMPLE_TOKEN"
        enabled = false
        """);
        // Zed: context_servers, custom and from an extension.
        Write(".config/zed/settings.json", """
        // Zed settings
        {
          "context_servers": {
            "local-mcp-server": { "command": "some-command", "args": ["arg-1", "arg-2"], "env": {} },
            "remote-mcp-server": { "url": "https://example.com/mcp", "headers": { "Authorization": "Bearer <token>" } },
            "mcp-server-github": { "source": "extension", "settings": { "github_personal_access_token": "x" } },
          },
        }
        """);

        // Installed packages: the npx cache holds postmark-mcp 1.0.16; a project script belongs to db-mcp 2.1.0;
        // uv's tool folder holds mcp-server-fetch 2025.4.7 (dist-info METADATA).
        Write(".npm/_npx/1a2b3c/node_modules/postmark-mcp/package.json", """{ "name": "postmark-mcp", "version": "1.0.16", "dependencies": { "@modelcontextprotocol/sdk": "^1.0.0" } }""");
        Write("tools/db-mcp/package.json", """{ "name": "db-mcp", "version": "2.1.0" }""");
        Write("tools/db-mcp/index.js", "");
        string site = ".local/share/uv/tools/mcp-server-fetch/lib/python3.12/site-packages";
        Write(site + "/mcp_server_fetch-2025.4.7.dist-info/METADATA", "Metadata-Version: 2.4\nName: mcp-server-fetch\nVersion: 2025.4.7\nRequires-Dist: mcp>=1.1.3\n\nA fetch server.\n");
        Write(site + "/mcp_server_fetch-2025.4.7.dist-info/entry_points.txt", "[console_scripts]\nmcp-server-fetch = mcp_server_fetch:main\n");
        Write(site + "/mcp_server_fetch/__init__.py", "");
    }

    public string Write(string relative, string content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
