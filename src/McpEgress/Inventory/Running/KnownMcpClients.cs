using McpEgress.Attribution;

namespace McpEgress.Inventory.Running;

/// <summary>
/// Recognizes the processes of known MCP clients (by executable or argv[0] name, or by the npm package of a Node CLI)
/// and the wrappers that stand between a client and the server it starts (npx, uvx, a shell ...).
/// </summary>
public static class KnownMcpClients
{
    private static readonly Dictionary<string, string> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["claude"] = "claude-code",
        ["claude-desktop"] = "claude-desktop",
        ["cursor"] = "cursor",
        ["code"] = "vscode",
        ["code-insiders"] = "vscode",
        ["codium"] = "vscode",
        ["windsurf"] = "windsurf",
        ["codex"] = "codex",
        ["zed"] = "zed",
        ["zed-editor"] = "zed",
        ["zeditor"] = "zed",
        ["gemini"] = "gemini-cli",
    };

    private static readonly Dictionary<string, string> ByNpmPackage = new(StringComparer.Ordinal)
    {
        ["@anthropic-ai/claude-code"] = "claude-code",
        ["@google/gemini-cli"] = "gemini-cli",
        ["@openai/codex"] = "codex",
    };

    /// <summary>Executables that only start another program (npx, uvx, shells, env ...).</summary>
    private static readonly HashSet<string> Wrappers = new(StringComparer.Ordinal)
    {
        "sh", "bash", "dash", "zsh", "env", "npx", "npm", "pnpm", "bunx", "uv", "uvx", "pipx", "timeout", "nice", "nohup", "setsid", "stdbuf",
    };

    /// <summary>The client id of a known MCP client process, or null.</summary>
    public static string? Identify(ProcEntry e, SenderIdentity? identity)
    {
        if (identity is { Kind: SenderKind.Npm } && ByNpmPackage.TryGetValue(identity.Name, out var byPackage)) return byPackage;
        foreach (var candidate in new[] { e.Name, Path.GetFileName(e.Executable ?? "") })
        {
            if (candidate.Length > 0 && ByName.TryGetValue(candidate, out var id)) return id;
        }
        return null;
    }

    /// <summary>True for a process that only starts the real server: npx/npm exec (also as Node's npm CLI), uvx, a shell.</summary>
    public static bool IsWrapper(ProcEntry e, SenderIdentity? identity)
    {
        if (identity is { Kind: SenderKind.Npm, Name: "npm" or "pnpm" }) return true;
        var name = e.Name;
        if (Wrappers.Contains(name)) return true;
        // npx and "npm exec" set their process title: argv[0] becomes "npm exec" / "npx".
        return name.StartsWith("npm ", StringComparison.Ordinal) || name.StartsWith("npx ", StringComparison.Ordinal);
    }
}
