namespace McpEgress.Attribution;

/// <summary>
/// An npm package as its package.json names it: the file, "name", "version" and the names it depends on
/// (dependencies, peerDependencies, optionalDependencies; at most 512).
/// </summary>
public sealed record NodePackage(string PackageJson, string Name, string? Version, IReadOnlyList<string> Dependencies)
{
    /// <summary>The folder holding package.json (the package root).</summary>
    public string Root => Path.GetDirectoryName(PackageJson) ?? "/";

    public bool DependsOn(string name)
    {
        foreach (var d in Dependencies) if (d == name) return true;
        return false;
    }
}
