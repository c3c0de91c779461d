namespace McpEgress.Config;

/// <summary>
/// What every section's reader shares: the file name, the error list (all errors are collected, none stops the
/// reading) and the checks that phrase errors the same way in every section.
/// </summary>
internal sealed class ConfigValidator(string source, List<ConfigError> errors)
{
    public string Source => source;

    /// <summary>A problem with a value, at the value's position.</summary>
    public void Error(ConfigNode node, string path, string problem) =>
        errors.Add(new ConfigError(source, node.Line, node.Column, path, problem));

    /// <summary>A problem with a key or with what it holds, at the key's position.</summary>
    public void Error(ConfigEntry entry, string path, string problem) =>
        errors.Add(new ConfigError(source, entry.Line, entry.Column, path, problem));

    /// <summary>A problem found after reading (a rule across keys); line 0 when the key was not written.</summary>
    public void Error(int line, int column, string path, string problem) =>
        errors.Add(new ConfigError(source, line, column, path, problem));

    /// <summary>The entries of a mapping, reporting duplicates and (when <paramref name="known"/> is given) unknown keys.</summary>
    public IEnumerable<ConfigEntry> Entries(ConfigNode map, string path, IReadOnlyList<string>? known)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in map.Entries!)
        {
            string p = Child(path, e.Key);
            if (!seen.Add(e.Key))
            {
                Error(e, p, "duplicate key");
                continue;
            }
            if (known is not null && !known.Contains(e.Key))
            {
                Error(e, p, $"unknown key \"{ConfigReadLimits.Quote(e.Key)}\" (expected one of: {string.Join(", ", known)})");
                continue;
            }
            yield return e;
        }
    }

    /// <summary>The key path of <paramref name="key"/> under <paramref name="path"/> ("" is the top level).</summary>
    public static string Child(string path, string key) => path.Length == 0 ? key : path + "." + key;

    public bool ExpectMapping(ConfigNode node, string path)
    {
        if (node.Kind == ConfigNodeKind.Mapping) return true;
        Error(node, path, $"expected a mapping, got {node.Describe()}");
        return false;
    }

    /// <summary>YAML 1.2 core schema booleans when unquoted; JSON true/false. Null for anything else.</summary>
    public static bool? AsBool(ConfigNode n) => n.Kind is ConfigNodeKind.Boolean or ConfigNodeKind.Plain && n.Scalar() is bool b ? b : null;
}
