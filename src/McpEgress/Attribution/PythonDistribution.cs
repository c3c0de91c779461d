namespace McpEgress.Attribution;

/// <summary>
/// An installed Python distribution: <c>Name</c> and <c>Version</c> from its <c>*.dist-info/METADATA</c>, the
/// site-packages folder it is installed in, and the names it requires (<c>Requires-Dist</c>, normalized per PEP 503).
/// </summary>
public sealed record PythonDistribution(string Name, string Version, string DistInfo, string SitePackages, IReadOnlyList<string> Requires)
{
    public bool RequiresAny(params string[] names)
    {
        foreach (var r in Requires)
            foreach (var n in names)
                if (r == n) return true;
        return false;
    }
}
