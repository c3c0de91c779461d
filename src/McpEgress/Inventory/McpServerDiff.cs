namespace McpEgress.Inventory;

/// <summary>The changes from one inventory refresh to the next, by <see cref="McpServerState.Key"/>: appeared, version changed, disappeared.</summary>
public static class McpServerDiff
{
    public static List<McpServerChange> Compare(IReadOnlyDictionary<string, McpServerState> before, IReadOnlyDictionary<string, McpServerState> after)
    {
        var changes = new List<McpServerChange>();
        foreach (var (key, now) in after)
        {
            if (!before.TryGetValue(key, out var old)) changes.Add(new McpServerChange(McpServerChangeKind.Appeared, now, null));
            else if (!string.Equals(old.Version, now.Version, StringComparison.Ordinal) || !string.Equals(old.Package, now.Package, StringComparison.Ordinal))
                changes.Add(new McpServerChange(McpServerChangeKind.VersionChanged, now, old));
        }
        foreach (var (key, old) in before)
            if (!after.ContainsKey(key)) changes.Add(new McpServerChange(McpServerChangeKind.Disappeared, old, null));
        return changes;
    }
}
