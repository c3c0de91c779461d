using System.Text.Json;

namespace McpEgress.Attribution;

/// <summary>
/// Finds the npm package a Node process runs: the script in argv (the first positional argument after Node's
/// own options), resolved through symlinks (node_modules/.bin/x → ../pkg/dist/cli.js), then the nearest
/// package.json walking up that has a "name" (nested {"type":"module"} stubs without a name are skipped).
/// Results are cached per directory, bounded; a cached package is revalidated by its package.json's mtime.
/// </summary>
public sealed class NodePackageLocator
{
    // Node options that take the next argument as their value (node --help); "-e"/"-p" mean there is no script.
    private static readonly HashSet<string> OptionsWithValue = new(StringComparer.Ordinal)
    {
        "-r", "--require", "--import", "--loader", "--experimental-loader", "--env-file", "--title",
        "--inspect-port", "--debug-port", "-C", "--conditions", "--input-type", "--stack-size",
        "--max-old-space-size", "--openssl-config", "--redirect-warnings", "--diagnostic-dir",
    };

    // package.json sections whose names a running package can load (devDependencies are not installed with it).
    private static readonly string[] DependencySections = ["dependencies", "peerDependencies", "optionalDependencies"];
    private const int MaxDependencies = 512;

    private readonly ProcessResolverOptions _options;
    private readonly object _gate = new();
    private readonly Dictionary<string, CachedPackage?> _byDirectory = new(StringComparer.Ordinal);

    private sealed record CachedPackage(NodePackage Package, DateTime Stamp);

    public NodePackageLocator(ProcessResolverOptions? options = null) => _options = options ?? new ProcessResolverOptions();

    /// <summary>True for node, nodejs, node20 ... (by file name of the executable or argv[0]).</summary>
    public static bool IsNode(string? executableOrArgv0)
    {
        if (string.IsNullOrEmpty(executableOrArgv0)) return false;
        var name = Path.GetFileName(executableOrArgv0.AsSpan());
        if (name.EndsWith(" (deleted)")) name = name[..^10];
        if (name.StartsWith("nodejs")) name = name[6..];
        else if (name.StartsWith("node")) name = name[4..];
        else return false;
        foreach (char c in name) if (!char.IsAsciiDigit(c) && c != '.' && c != '-') return false;
        return true;
    }

    /// <summary>The script argument of a Node argv, or null (REPL, -e, -p).</summary>
    public static string? FindScriptArgument(IReadOnlyList<string> argv)
    {
        for (int i = 1; i < argv.Count; i++)
        {
            var a = argv[i];
            if (a == "--") return i + 1 < argv.Count ? argv[i + 1] : null;
            if (a is "-e" or "--eval" or "-p" or "--print" or "-i" or "--interactive") return null;
            if (a.Length > 1 && a[0] == '-')
            {
                if (OptionsWithValue.Contains(a)) i++;
                continue;
            }
            return a;
        }
        return null;
    }

    /// <summary>
    /// Resolves <paramref name="script"/> (relative to <paramref name="workingDirectory"/>) and returns the
    /// absolute real path plus its package; nulls when not found. Never throws.
    /// </summary>
    public (string? ScriptPath, string? Name, string? Version) Locate(string script, string? workingDirectory)
    {
        var (path, package) = LocatePackage(script, workingDirectory);
        return (path, package?.Name, package?.Version);
    }

    /// <summary>As <see cref="Locate"/>, with the whole package (its package.json and dependency names).</summary>
    public (string? ScriptPath, NodePackage? Package) LocatePackage(string script, string? workingDirectory)
    {
        try
        {
            string path = Path.IsPathRooted(script) ? script
                : workingDirectory is null ? script : Path.Combine(workingDirectory, script);
            path = Path.GetFullPath(path);
            var target = File.ResolveLinkTarget(path, returnFinalTarget: true);
            if (target is not null) path = target.FullName;
            var dir = Path.GetDirectoryName(path);
            if (dir is null) return (path, null);
            return (path, FindPackage(dir)?.Package);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return (null, null);
        }
    }

    /// <summary>The package whose root is <paramref name="directory"/> (its own package.json with a name), or null.</summary>
    public NodePackage? ReadPackageAt(string directory) => TryRead(Path.Combine(directory, "package.json"))?.Package;

    private CachedPackage? FindPackage(string startDirectory)
    {
        var visited = new List<string>();
        CachedPackage? found = null;
        bool known = false;
        string? dir = startDirectory;
        for (int depth = 0; dir is not null && depth < _options.MaxPackageJsonDepth; depth++)
        {
            lock (_gate)
            {
                if (_byDirectory.TryGetValue(dir, out var cached) && (cached is null || IsFresh(cached)))
                {
                    found = cached;
                    known = true;
                }
            }
            if (known) break;
            visited.Add(dir);
            if (Path.GetFileName(dir.AsSpan()).SequenceEqual("node_modules")) break; // left the package tree
            found = TryRead(Path.Combine(dir, "package.json"));
            if (found is not null) break;
            dir = Path.GetDirectoryName(dir);
        }
        lock (_gate)
        {
            if (_byDirectory.Count + visited.Count > _options.MaxCachedPackageDirectories) _byDirectory.Clear();
            foreach (var v in visited) _byDirectory[v] = found;
        }
        return found;
    }

    private static bool IsFresh(CachedPackage p)
    {
        try { return File.GetLastWriteTimeUtc(p.Package.PackageJson) == p.Stamp; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    private CachedPackage? TryRead(string packageJson)
    {
        try
        {
            var info = new FileInfo(packageJson);
            if (!info.Exists || info.Length > _options.MaxPackageJsonBytes) return null;
            var stamp = info.LastWriteTimeUtc;
            using var doc = JsonDocument.Parse(File.ReadAllBytes(packageJson),
                new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
            if (!doc.RootElement.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String) return null;
            var n = name.GetString();
            if (string.IsNullOrEmpty(n) || n.Length > 214) return null; // npm's name length limit
            string? version = doc.RootElement.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String
                ? Truncate(v.GetString(), 256) : null;
            var dependencies = new List<string>();
            foreach (var section in DependencySections)
            {
                if (!doc.RootElement.TryGetProperty(section, out var deps) || deps.ValueKind != JsonValueKind.Object) continue;
                foreach (var d in deps.EnumerateObject())
                    if (dependencies.Count < MaxDependencies && d.Name.Length <= 214) dependencies.Add(d.Name);
            }
            return new CachedPackage(new NodePackage(packageJson, n, version, dependencies), stamp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private static string? Truncate(string? s, int max) => s is null || s.Length <= max ? s : s[..max];
}
