namespace McpEgress.Inventory.Clients;

/// <summary>
/// Reads one MCP client's config files. Each reader names where its client keeps them (verified against the client's
/// documentation, cited beside the reader) and how servers are written there.
/// </summary>
public interface IMcpConfigReader
{
    /// <summary>claude-desktop, claude-code, cursor, vscode, windsurf, gemini-cli, codex, zed.</summary>
    string ClientId { get; }

    /// <summary>The user's own config files below <paramref name="home"/> (they may not exist).</summary>
    IEnumerable<string> UserFiles(string home);

    /// <summary>Config files a project folder may hold (they may not exist).</summary>
    IEnumerable<string> ProjectFiles(string projectDirectory);

    /// <summary>Reads one file's servers into <paramref name="output"/>; problems are added there, never thrown.</summary>
    void Read(string file, byte[] content, string scope, string? project, ConfigReadOutput output);
}
