namespace McpEgress.Attribution;

/// <summary>
/// Who sends: the package a process runs — npm package@version, PyPI distribution@version, a container image —
/// else its executable. One identity for messages (<c>mcp_egress.process.package</c>), metrics (the package label)
/// and the MCP server inventory, so a server seen in a config file, running, and sending mail is the same name.
/// </summary>
public sealed record SenderIdentity(SenderKind Kind, string Name, string? Version)
{
    /// <summary>The OSV ecosystem name ("npm", "PyPI"), or null for executables and images.</summary>
    public string? Ecosystem => Kind switch
    {
        SenderKind.Npm => "npm",
        SenderKind.PyPI => "PyPI",
        _ => null,
    };

    /// <summary>Short type name for output: "npm", "pypi", "container", "executable".</summary>
    public string TypeName => Kind switch
    {
        SenderKind.Npm => "npm",
        SenderKind.PyPI => "pypi",
        SenderKind.Container => "container",
        _ => "executable",
    };

    /// <summary>True for identities that name a package (npm, PyPI, image), not just an executable.</summary>
    public bool IsPackage => Kind != SenderKind.Executable;

    public static SenderIdentity Executable(string path) => new(SenderKind.Executable, path, null);

    /// <summary>"postmark-mcp@1.0.16", "mcp-server-fetch@2025.4.7", "ghcr.io/github/github-mcp-server:v1", "/usr/bin/perl".</summary>
    public override string ToString() => Version is null ? Name
        : Kind == SenderKind.Container ? (Version.StartsWith("sha256:", StringComparison.Ordinal) ? $"{Name}@{Version}" : $"{Name}:{Version}")
        : $"{Name}@{Version}";
}
