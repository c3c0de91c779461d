namespace McpEgress.Inventory;

/// <summary>
/// Finds project folders below a home that hold an MCP client's project config (<c>.mcp.json</c>, <c>.cursor/mcp.json</c>,
/// <c>.vscode/mcp.json</c>, ...): a breadth-first walk, bounded in depth and folders, that does not enter hidden folders,
/// dependency trees (node_modules, virtualenvs) or build output.
/// </summary>
public static class ProjectFinder
{
    private static readonly HashSet<string> Skip = new(StringComparer.Ordinal)
    {
        "node_modules", "__pycache__", "venv", "site-packages", "dist-packages", "target", "build", "dist", "vendor", "snap", "go", "Library",
    };

    private static readonly EnumerationOptions Options = new() { IgnoreInaccessible = true, RecurseSubdirectories = false, AttributesToSkip = FileAttributes.ReparsePoint };

    /// <summary>Folders below <paramref name="home"/> (not home itself) for which <paramref name="isProject"/> is true.</summary>
    public static List<string> Find(string home, Func<string, bool> isProject, int maxDepth, int maxDirectories)
    {
        var projects = new List<string>();
        var queue = new Queue<(string Dir, int Depth)>();
        queue.Enqueue((home, 0));
        int seen = 0;
        while (queue.Count > 0 && seen < maxDirectories)
        {
            var (dir, depth) = queue.Dequeue();
            seen++;
            if (depth > 0 && isProject(dir)) projects.Add(dir);
            if (depth >= maxDepth) continue;
            IEnumerable<string> children;
            try { children = Directory.EnumerateDirectories(dir, "*", Options).ToList(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (var c in children)
            {
                var name = Path.GetFileName(c);
                if (name.StartsWith('.') || Skip.Contains(name)) continue;
                queue.Enqueue((c, depth + 1));
            }
        }
        return projects;
    }
}
