using McpEgress.Attribution;

namespace McpEgress.Inventory;

/// <summary>
/// The package and version a configured server runs, found offline from what is installed for that user:
/// <list type="bullet">
/// <item><c>npx</c> (<c>npm exec</c>, <c>pnpm dlx</c>, <c>bunx</c>): the package spec's name, its installed version in the npx
/// cache (~/.npm/_npx/*/node_modules), the project's or the global node_modules; an exact version in the spec otherwise;</item>
/// <item><c>node SCRIPT</c>: the npm package owning the script (<see cref="NodePackageLocator"/>);</item>
/// <item><c>uvx</c> / <c>uv tool run</c> / <c>pipx run</c>: the PyPI distribution in uv's tool folders and cache or pipx's
/// venvs (*.dist-info/METADATA); <c>python -m M</c> / <c>python SCRIPT</c>: <see cref="PythonDistributionLocator"/>;</item>
/// <item><c>docker run</c> / <c>podman run</c>: the image reference;</item>
/// <item>a command on PATH or a path: the package its file belongs to (a node_modules/.bin link, a venv console script).</item>
/// </list>
/// Otherwise the answer is "unresolved" with the reason. Never throws.
/// </summary>
public sealed class ServerPackageResolver
{
    // npx/npm exec options that take a value (npm help exec).
    private static readonly HashSet<string> NpxValueOptions = new(StringComparer.Ordinal) { "-p", "--package", "-c", "--call", "-w", "--workspace", "--registry", "--cache", "--userconfig" };
    // uvx / uv tool run options that take a value (uv help tool run).
    private static readonly HashSet<string> UvValueOptions = new(StringComparer.Ordinal)
    {
        "--from", "--with", "--with-editable", "--with-requirements", "-p", "--python", "--index", "--index-url", "--extra-index-url",
        "--default-index", "-f", "--find-links", "--directory", "--project", "--cache-dir", "--config-file", "--env-file", "-C",
        "--config-setting", "--exclude-newer", "--index-strategy", "--keyring-provider", "--resolution", "--prerelease", "--refresh-package",
        "--reinstall-package", "--upgrade-package", "-P", "--link-mode", "--color", "--allow-insecure-host",
    };
    // docker run options that take a value (docker run --help); --opt=value forms carry their own.
    private static readonly HashSet<string> DockerValueOptions = new(StringComparer.Ordinal)
    {
        "-e", "--env", "--env-file", "-v", "--volume", "--mount", "--name", "--network", "--net", "-p", "--publish", "-u", "--user",
        "-w", "--workdir", "--entrypoint", "--platform", "--pull", "-l", "--label", "--add-host", "--cpus", "-m", "--memory",
        "--cap-add", "--cap-drop", "--device", "--dns", "-h", "--hostname", "--ipc", "--pid", "--restart", "--runtime",
        "--security-opt", "--shm-size", "--tmpfs", "--ulimit", "--log-driver", "--log-opt", "--cidfile", "--gpus", "--group-add",
        "--label-file", "--stop-signal", "--stop-timeout", "--network-alias", "--expose", "--attach", "-a", "--init-path", "--userns",
    };

    private readonly InventoryOptions _options;
    private readonly NodePackageLocator _node;
    private readonly PythonDistributionLocator _python;

    public ServerPackageResolver(InventoryOptions options, SenderIdentityResolver senders)
    {
        _options = options;
        _node = senders.Node;
        _python = senders.Python;
    }

    /// <summary>The server's package, or null and the reason; <paramref name="home"/> is the config owner's home.</summary>
    public (SenderIdentity? Package, string? Unresolved) Resolve(ConfiguredServer server, string home)
    {
        try
        {
            if (server.Command is null)
                return (null, server.Url is not null ? "remote server: it runs elsewhere, reached at its URL" : server.Note ?? "no command or URL in the entry");
            var argv = new List<string> { server.Command };
            argv.AddRange(server.Args);
            return ResolveArgv(argv, home, server.WorkingDirectory ?? server.Project);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return (null, "cannot read what it runs: " + e.Message);
        }
    }

    private (SenderIdentity?, string?) ResolveArgv(List<string> argv, string home, string? cwd)
    {
        string cmd = Path.GetFileName(argv[0]);
        // "cmd /c npx ..." and "env A=B npx ...": look through the wrapper.
        if ((cmd is "cmd" or "cmd.exe") && argv.Count > 2 && argv[1].Equals("/c", StringComparison.OrdinalIgnoreCase)) return ResolveArgv(argv[2..], home, cwd);
        if (cmd == "env")
        {
            int i = 1;
            while (i < argv.Count && (argv[i].Contains('=') || argv[i].StartsWith('-'))) i++;
            if (i < argv.Count) return ResolveArgv(argv[i..], home, cwd);
        }
        switch (cmd)
        {
            case "npx":
            case "bunx":
                return Npx(argv, 1, home, cwd);
            case "npm" when argv.Count > 1 && argv[1] is "exec" or "x":
            case "pnpm" when argv.Count > 1 && argv[1] is "dlx" or "exec":
                return Npx(argv, 2, home, cwd);
            case "uvx":
                return Uvx(argv, 1, home);
            case "uv" when argv.Count > 2 && argv[1] == "tool" && argv[2] is "run":
                return Uvx(argv, 3, home);
            case "uv" when argv.Count > 1 && argv[1] == "run":
                return (null, "uv run: a local project or script, resolved when it runs");
            case "pipx" when argv.Count > 1 && argv[1] == "run":
                return Pipx(argv, 2, home);
            case "docker" or "podman" or "nerdctl":
                return Container(argv);
        }
        if (NodePackageLocator.IsNode(cmd))
        {
            var script = NodePackageLocator.FindScriptArgument(argv);
            if (script is null) return (null, "node without a script (-e, or a REPL)");
            var (path, pkg) = _node.LocatePackage(Expand(script, home), cwd);
            if (pkg is not null) return (new SenderIdentity(SenderKind.Npm, pkg.Name, pkg.Version), null);
            return (null, path is not null && File.Exists(path) ? $"script {path} belongs to no package.json with a name" : $"script {script} not found");
        }
        if (PythonDistributionLocator.IsPython(cmd))
        {
            var extra = new List<string>();
            foreach (var prefix in _options.SystemPythonPrefixes) extra.AddRange(PythonDistributionLocator.SitePackagesOfPrefix(prefix));
            extra.AddRange(PythonDistributionLocator.SitePackagesOfPrefix(Path.Combine(home, ".local")));
            var expanded = argv.Select(a => Expand(a, home)).ToList();
            var (_, dist) = _python.Locate(expanded, null, cwd, extra);
            if (dist is not null) return (new SenderIdentity(SenderKind.PyPI, dist.Name, dist.Version), null);
            return (null, "the Python module or script is not part of an installed distribution (no *.dist-info owns it)");
        }
        // A command by path or on PATH: what package its file belongs to.
        string? file = argv[0].Contains('/') ? Expand(argv[0], home) : FindOnPath(argv[0], home);
        if (file is null) return (null, $"{argv[0]}: not found on PATH");
        var real = File.ResolveLinkTarget(file, returnFinalTarget: true)?.FullName ?? file;
        var (_, package) = _node.LocatePackage(real, null);
        if (package is not null && real.Contains("/node_modules/", StringComparison.Ordinal))
            return (new SenderIdentity(SenderKind.Npm, package.Name, package.Version), null);
        if (_python.LocateScript(file) is { } d) return (new SenderIdentity(SenderKind.PyPI, d.Name, d.Version), null);
        return (null, $"{real}: an executable that belongs to no npm package or Python distribution");
    }

    private (SenderIdentity?, string?) Npx(List<string> argv, int start, string home, string? cwd)
    {
        string? spec = null;
        for (int i = start; i < argv.Count; i++)
        {
            var a = argv[i];
            if (a == "--") { if (spec is null && i + 1 < argv.Count) spec = argv[i + 1]; break; }
            if (a is "-p" or "--package") { if (i + 1 < argv.Count) spec = argv[++i]; continue; }
            if (a.StartsWith("--package=", StringComparison.Ordinal)) { spec = a[10..]; continue; }
            if (a.StartsWith('-')) { if (NpxValueOptions.Contains(a)) i++; continue; }
            spec ??= a;
            break;
        }
        if (spec is null) return (null, "npx without a package");
        var (name, wanted) = SplitNpmSpec(spec);
        if (name.StartsWith('.') || name.StartsWith('/') || name.Contains(':'))
            return (null, $"npx {spec}: a local path, git or URL spec");
        bool exact = wanted is not null && wanted.Length > 0 && (char.IsAsciiDigit(wanted[0])) && wanted.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '+');
        NodePackage? best = null;
        DateTime bestTime = default;
        foreach (var dir in NpmPackageDirs(name, home, cwd))
        {
            var pkg = _node.ReadPackageAt(dir);
            if (pkg is null || pkg.Name != name) continue;
            if (exact && pkg.Version == wanted) return (new SenderIdentity(SenderKind.Npm, name, pkg.Version), null);
            var t = Directory.GetLastWriteTimeUtc(dir);
            if (!exact && (best is null || t > bestTime)) { best = pkg; bestTime = t; }
        }
        if (best is not null) return (new SenderIdentity(SenderKind.Npm, name, best.Version), null);
        if (exact) return (new SenderIdentity(SenderKind.Npm, name, wanted), null); // what npx will fetch and run
        return (new SenderIdentity(SenderKind.Npm, name, null),
            $"npx {spec}: not in the npx cache or a node_modules; npx fetches {(wanted is null ? "the latest version" : "a version matching " + wanted)} when it starts");
    }

    /// <summary>"@scope/name@1.2.3" → ("@scope/name", "1.2.3"); "name" → ("name", null).</summary>
    public static (string Name, string? Version) SplitNpmSpec(string spec)
    {
        int at = spec.IndexOf('@', spec.StartsWith('@') ? 1 : 0);
        return at < 0 ? (spec, null) : (spec[..at], spec[(at + 1)..] is { Length: > 0 } v && v != "latest" ? v : null);
    }

    private IEnumerable<string> NpmPackageDirs(string name, string home, string? cwd)
    {
        var npx = Path.Combine(home, ".npm", "_npx");
        if (Directory.Exists(npx))
            foreach (var d in SafeDirs(npx).Take(_options.MaxCacheEntries)) yield return Path.Combine(d, "node_modules", name);
        if (cwd is not null) yield return Path.Combine(cwd, "node_modules", name);
        foreach (var g in _options.GlobalNodeModules) yield return Path.Combine(g, name);
        yield return Path.Combine(home, ".npm-global", "lib", "node_modules", name);
        yield return Path.Combine(home, ".local", "lib", "node_modules", name);
        var nvm = Path.Combine(home, ".nvm", "versions", "node");
        if (Directory.Exists(nvm))
            foreach (var d in SafeDirs(nvm)) yield return Path.Combine(d, "lib", "node_modules", name);
    }

    private (SenderIdentity?, string?) Uvx(List<string> argv, int start, string home)
    {
        string? spec = null, from = null;
        for (int i = start; i < argv.Count; i++)
        {
            var a = argv[i];
            if (a == "--from" && i + 1 < argv.Count) { from = argv[++i]; continue; }
            if (a.StartsWith("--from=", StringComparison.Ordinal)) { from = a[7..]; continue; }
            if (a.StartsWith('-')) { if (UvValueOptions.Contains(a)) i++; continue; }
            spec = a;
            break;
        }
        spec = from ?? spec;
        if (spec is null) return (null, "uvx without a package");
        var (name, wanted) = SplitPythonSpec(spec);
        var prefixes = new List<string>
        {
            Path.Combine(home, ".local", "share", "uv", "tools", name),
        };
        var cache = Path.Combine(home, ".cache", "uv", "archive-v0");
        if (Directory.Exists(cache)) prefixes.AddRange(SafeDirs(cache).Take(_options.MaxCacheEntries));
        return FindPython(name, wanted, prefixes, $"uvx {spec}: not in uv's tool folders or cache; uv fetches it when it starts");
    }

    private (SenderIdentity?, string?) Pipx(List<string> argv, int start, string home)
    {
        string? spec = null, from = null;
        for (int i = start; i < argv.Count; i++)
        {
            var a = argv[i];
            if (a == "--spec" && i + 1 < argv.Count) { from = argv[++i]; continue; }
            if (a.StartsWith('-')) { if (a is "--python" or "--index-url" or "--pip-args") i++; continue; }
            spec = a;
            break;
        }
        spec = from ?? spec;
        if (spec is null) return (null, "pipx run without a package");
        var (name, wanted) = SplitPythonSpec(spec);
        var prefixes = new List<string>();
        foreach (var root in new[] { Path.Combine(home, ".local", "share", "pipx"), Path.Combine(home, ".local", "pipx") })
        {
            prefixes.Add(Path.Combine(root, "venvs", name));
            var c = Path.Combine(root, ".cache");
            if (Directory.Exists(c)) prefixes.AddRange(SafeDirs(c).Take(_options.MaxCacheEntries));
        }
        return FindPython(name, wanted, prefixes, $"pipx run {spec}: not in pipx's venvs or cache; pipx fetches it when it starts");
    }

    private (SenderIdentity?, string?) FindPython(string name, string? wanted, List<string> prefixes, string notFound)
    {
        PythonDistribution? best = null;
        foreach (var prefix in prefixes)
        {
            foreach (var site in PythonDistributionLocator.SitePackagesOfPrefix(prefix))
            {
                if (_python.FindByName(site, name) is not { } d) continue;
                if (wanted is not null && d.Version == wanted) return (new SenderIdentity(SenderKind.PyPI, d.Name, d.Version), null);
                best ??= d;
            }
        }
        if (best is not null && wanted is null) return (new SenderIdentity(SenderKind.PyPI, best.Name, best.Version), null);
        if (wanted is not null) return (new SenderIdentity(SenderKind.PyPI, name, wanted), null);
        return (new SenderIdentity(SenderKind.PyPI, name, null), notFound);
    }

    /// <summary>"mcp-server-fetch==2025.4.7", "mcp-server-fetch@2025.4.7", "pkg[extra]>=1" → name and the exact version, if one.</summary>
    public static (string Name, string? Version) SplitPythonSpec(string spec)
    {
        int end = 0;
        while (end < spec.Length && (char.IsAsciiLetterOrDigit(spec[end]) || spec[end] is '-' or '_' or '.')) end++;
        string name = spec[..end];
        string rest = spec[end..];
        if (rest.StartsWith('[')) rest = rest[(rest.IndexOf(']') + 1)..];
        if (rest.StartsWith("==", StringComparison.Ordinal)) return (name, rest[2..].Trim());
        if (rest.StartsWith('@') && rest.Length > 1 && char.IsAsciiDigit(rest[1])) return (name, rest[1..].Trim());
        return (name, null);
    }

    private static (SenderIdentity?, string?) Container(List<string> argv) =>
        ImageOf(argv) is { } image ? (image, null) : (null, $"{string.Join(' ', argv.Take(2))}: not a run command with an image");

    /// <summary>The image of a "docker run [OPTIONS] IMAGE ..." (also "docker container run", podman, nerdctl), or null.</summary>
    public static SenderIdentity? ImageOf(IReadOnlyList<string> argv)
    {
        int i = 1;
        if (i < argv.Count && argv[i] == "container") i++;
        if (i >= argv.Count || argv[i] != "run") return null;
        for (i++; i < argv.Count; i++)
        {
            var a = argv[i];
            if (a == "--") { i++; break; }
            if (a.StartsWith('-'))
            {
                if (!a.Contains('=') && DockerValueOptions.Contains(a)) i++;
                continue;
            }
            break;
        }
        return i < argv.Count ? ParseImage(argv[i]) : null;
    }

    /// <summary>"ghcr.io/github/github-mcp-server:v1" → (name, "v1"); "img@sha256:..." → (name, "sha256:..."); no tag → version null (latest).</summary>
    public static SenderIdentity ParseImage(string reference)
    {
        int at = reference.IndexOf('@');
        if (at > 0) return new SenderIdentity(SenderKind.Container, reference[..at], reference[(at + 1)..]);
        int slash = reference.LastIndexOf('/');
        int colon = reference.LastIndexOf(':');
        if (colon > slash) return new SenderIdentity(SenderKind.Container, reference[..colon], reference[(colon + 1)..]);
        return new SenderIdentity(SenderKind.Container, reference, null);
    }

    /// <summary>Docker's -e/--env names (values never kept): "-e NAME", "-e NAME=value", "--env=NAME=value".</summary>
    public static IEnumerable<string> DockerEnvNames(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string? v = null;
            if ((args[i] is "-e" or "--env") && i + 1 < args.Count) v = args[++i];
            else if (args[i].StartsWith("--env=", StringComparison.Ordinal)) v = args[i][6..];
            else if (args[i].StartsWith("-e", StringComparison.Ordinal) && args[i].Length > 2 && args[i][2] != '-') v = args[i][2..];
            if (v is null) continue;
            int eq = v.IndexOf('=');
            yield return eq < 0 ? v : v[..eq];
        }
    }

    private string? FindOnPath(string command, string home)
    {
        var dirs = new List<string> { Path.Combine(home, ".local", "bin"), Path.Combine(home, ".npm-global", "bin"), "/usr/local/bin", "/usr/bin", "/bin" };
        foreach (var d in dirs)
        {
            var f = Path.Combine(d, command);
            if (File.Exists(f)) return f;
        }
        return null;
    }

    private static string Expand(string path, string home) =>
        path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, path[2..])
        : path.Replace("${userHome}", home, StringComparison.Ordinal).Replace("$HOME", home, StringComparison.Ordinal);

    private static IEnumerable<string> SafeDirs(string dir)
    {
        try { return Directory.EnumerateDirectories(dir).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }
}
