namespace McpEgress.Inventory;

/// <summary>
/// One MCP server entry of one client config file, as written there: env var <em>names</em> only (values are never
/// kept), the command and arguments of a stdio server or the URL of a remote one.
/// </summary>
public sealed record ConfiguredServer
{
    /// <summary>Client id: claude-desktop, claude-code, cursor, vscode, windsurf, gemini-cli, codex, zed.</summary>
    public required string Client { get; init; }
    public required string ConfigFile { get; init; }
    /// <summary>"user" (the user's own config), "project" (a file in a project), "local" (Claude Code's per-project entries in ~/.claude.json).</summary>
    public required string Scope { get; init; }
    /// <summary>The project folder for project and local scope.</summary>
    public string? Project { get; init; }
    public required string Name { get; init; }
    /// <summary>Keys from the file's root to the server's entry (["mcpServers", NAME], ["mcp_servers", NAME] ...): where an edit goes.</summary>
    public IReadOnlyList<string> ConfigPath { get; init; } = [];
    public McpTransport Transport { get; init; }
    public string? Command { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    public string? Url { get; init; }
    /// <summary>The working directory the entry sets ("cwd"), if any.</summary>
    public string? WorkingDirectory { get; init; }
    public IReadOnlyList<string> EnvNames { get; init; } = [];
    /// <summary>Its env makes it write TLS key logs the daemon reads (<see cref="KeyLogWiring"/>).</summary>
    public bool KeyLogWired { get; init; }
    /// <summary>Switched off in the file ("disabled": true, Codex "enabled = false").</summary>
    public bool Disabled { get; init; }
    /// <summary>Why the entry has no command or URL of its own (a Zed extension), if so.</summary>
    public string? Note { get; init; }
}
