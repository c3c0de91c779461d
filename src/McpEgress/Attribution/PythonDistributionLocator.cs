using System.Text;

namespace McpEgress.Attribution;

/// <summary>
/// Finds the PyPI distribution a Python process runs, offline, from what is installed:
/// <list type="bullet">
/// <item>a script under <c>site-packages/</c> or <c>dist-packages/</c>: the distribution owning its top-level module;</item>
/// <item>a console script in a <c>bin/</c> folder (<c>venv/bin/mcp-server-fetch</c>; uvx and pipx run exactly this):
/// the distribution in that prefix's <c>lib/python*/site-packages</c> whose <c>entry_points.txt</c> declares it;</item>
/// <item><c>python -m module</c>: the distribution owning the module in the interpreter's site-packages.</item>
/// </list>
/// A distribution is read from its <c>*.dist-info/METADATA</c> (core metadata, RFC 822 style headers:
/// <c>Name</c>, <c>Version</c>, <c>Requires-Dist</c>); its modules from <c>top_level.txt</c> or <c>RECORD</c>.
/// Never throws; results are not cached here (callers cache per process).
/// </summary>
public sealed class PythonDistributionLocator
{
    private const int MaxMetadataBytes = 256 * 1024;
    private const int MaxRecordBytes = 4 << 20;
    private const int MaxDistributionsScanned = 2048;
    private const int MaxRequires = 256;

    /// <summary>True for python, python3, python3.12, python3.13t ... (by file name).</summary>
    public static bool IsPython(string? executableOrArgv0)
    {
        if (string.IsNullOrEmpty(executableOrArgv0)) return false;
        var name = Path.GetFileName(executableOrArgv0.AsSpan());
        if (name.EndsWith(" (deleted)")) name = name[..^10];
        if (!name.StartsWith("python")) return false;
        name = name[6..];
        foreach (char c in name) if (!char.IsAsciiDigit(c) && c != '.' && c != 'd' && c != 'm' && c != 't' && c != 'u') return false;
        return true;
    }

    /// <summary>
    /// The script or module of a Python argv: (script, null) for <c>python x.py</c>, (null, "pkg.mod") for
    /// <c>python -m pkg.mod</c>, (null, null) for <c>-c</c>, the REPL or stdin.
    /// </summary>
    public static (string? Script, string? Module) FindScriptOrModule(IReadOnlyList<string> argv)
    {
        for (int i = 1; i < argv.Count; i++)
        {
            var a = argv[i];
            if (a == "-") return (null, null);
            if (a == "--") return i + 1 < argv.Count ? (argv[i + 1], null) : (null, null);
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (a == "--check-hash-based-pycs") i++;
                continue;
            }
            if (a.Length > 1 && a[0] == '-')
            {
                // Short flags may be combined (-Iu); -c/-m end the options, -W/-X take a value.
                for (int k = 1; k < a.Length; k++)
                {
                    char f = a[k];
                    if (f == 'c') return (null, null);
                    if (f == 'm')
                    {
                        if (k + 1 < a.Length) return (null, a[(k + 1)..]);
                        return i + 1 < argv.Count ? (null, argv[i + 1]) : (null, null);
                    }
                    if (f is 'W' or 'X')
                    {
                        if (k + 1 == a.Length) i++;
                        break;
                    }
                }
                continue;
            }
            return (a, null);
        }
        return (null, null);
    }

    /// <summary>
    /// The distribution a Python process runs. <paramref name="argv"/> is its command line (argv[0] the interpreter as
    /// started, e.g. <c>/venv/bin/python</c>, which /proc/PID/exe does not show: a venv's python is a symlink),
    /// <paramref name="executable"/> its resolved executable; <paramref name="extraSitePackages"/> more folders to
    /// search for <c>-m</c> (from VIRTUAL_ENV or PYTHONPATH when the caller knows them).
    /// </summary>
    public (string? ScriptPath, PythonDistribution? Distribution) Locate(IReadOnlyList<string> argv, string? executable,
        string? workingDirectory, IEnumerable<string>? extraSitePackages = null)
    {
        try
        {
            var (script, module) = FindScriptOrModule(argv);
            if (script is not null)
            {
                string path = Path.IsPathRooted(script) ? script
                    : workingDirectory is null ? script : Path.Combine(workingDirectory, script);
                path = Path.GetFullPath(path);
                var target = File.ResolveLinkTarget(path, returnFinalTarget: true);
                if (target is not null) path = target.FullName;
                return (path, LocateScript(path));
            }
            if (module is null) return (null, null);
            string top = module.Split('.')[0];
            var sites = new List<string>();
            foreach (var interp in new[] { argv.Count > 0 ? argv[0] : null, executable })
                if (interp is not null && Path.IsPathRooted(interp)) sites.AddRange(SitePackagesOfPrefix(PrefixOfInterpreter(interp)));
            if (extraSitePackages is not null) sites.AddRange(extraSitePackages);
            foreach (var site in sites.Distinct(StringComparer.Ordinal))
                if (FindOwner(site, top) is { } dist) return (null, dist);
            return (null, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return (null, null);
        }
    }

    /// <summary>The distribution a script file belongs to (see the class summary), or null.</summary>
    public PythonDistribution? LocateScript(string path)
    {
        try
        {
            // Inside site-packages: the top-level module after the site-packages folder.
            var parts = path.Split('/');
            for (int i = parts.Length - 2; i >= 0; i--)
            {
                if (parts[i] is not ("site-packages" or "dist-packages")) continue;
                string site = string.Join('/', parts, 0, i + 1);
                string top = parts[i + 1];
                if (top.EndsWith(".py", StringComparison.Ordinal)) top = top[..^3];
                return FindOwner(site, top);
            }
            // A console script in PREFIX/bin: the distribution whose entry points declare it.
            var dir = Path.GetDirectoryName(path);
            if (dir is not null && Path.GetFileName(dir) == "bin")
            {
                var prefix = Path.GetDirectoryName(dir);
                if (prefix is null) return null;
                string name = Path.GetFileName(path);
                foreach (var site in SitePackagesOfPrefix(prefix))
                    if (FindConsoleScriptOwner(site, name) is { } dist) return dist;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { }
        return null;
    }

    /// <summary>The installed distribution named <paramref name="name"/> (PEP 503 comparison) in a site-packages folder, or null.</summary>
    public PythonDistribution? FindByName(string sitePackages, string name)
    {
        string wanted = NormalizeName(name);
        foreach (var distInfo in DistInfos(sitePackages))
            if (NormalizeName(DistInfoName(distInfo)) == wanted && ReadMetadata(distInfo, sitePackages) is { } d) return d;
        return null;
    }

    /// <summary>
    /// site-packages folders of an installation prefix (a venv, uv tool, pipx venv or /usr/local):
    /// PREFIX/lib{,64}/python*/site-packages and PREFIX/lib/python3/dist-packages (Debian).
    /// </summary>
    public static IEnumerable<string> SitePackagesOfPrefix(string? prefix)
    {
        if (prefix is null) yield break;
        foreach (var lib in new[] { "lib", "lib64" })
        {
            var libDir = Path.Combine(prefix, lib);
            if (!Directory.Exists(libDir)) continue;
            IEnumerable<string> pys;
            try { pys = Directory.EnumerateDirectories(libDir, "python*").ToList(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (var py in pys)
            {
                foreach (var leaf in new[] { "site-packages", "dist-packages" })
                {
                    var site = Path.Combine(py, leaf);
                    if (Directory.Exists(site)) yield return site;
                }
            }
        }
    }

    /// <summary>/venv/bin/python3 → /venv; /usr/bin/python3.11 → /usr.</summary>
    public static string? PrefixOfInterpreter(string interpreter)
    {
        var bin = Path.GetDirectoryName(interpreter);
        return bin is null ? null : Path.GetDirectoryName(bin);
    }

    /// <summary>PEP 503: lower case, runs of '-', '_', '.' become one '-'.</summary>
    public static string NormalizeName(string name)
    {
        var sb = new StringBuilder(name.Length);
        bool dash = false;
        foreach (char c in name)
        {
            if (c is '-' or '_' or '.')
            {
                if (!dash) sb.Append('-');
                dash = true;
                continue;
            }
            dash = false;
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    private static IEnumerable<string> DistInfos(string sitePackages)
    {
        List<string> list;
        try { list = Directory.EnumerateDirectories(sitePackages, "*.dist-info").Take(MaxDistributionsScanned).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { yield break; }
        list.Sort(StringComparer.Ordinal);
        foreach (var d in list) yield return d;
    }

    /// <summary>"mcp_server_fetch-2025.4.7.dist-info" → "mcp_server_fetch".</summary>
    private static string DistInfoName(string distInfo)
    {
        var leaf = Path.GetFileName(distInfo);
        leaf = leaf[..^".dist-info".Length];
        int dash = leaf.IndexOf('-');
        return dash < 0 ? leaf : leaf[..dash];
    }

    private PythonDistribution? FindOwner(string sitePackages, string topModule)
    {
        string wanted = NormalizeName(topModule);
        var all = DistInfos(sitePackages).ToList();
        // Fast path: a distribution named like its module (mcp_server_fetch ↔ mcp-server-fetch) that lists it.
        foreach (var d in all)
            if (NormalizeName(DistInfoName(d)) == wanted && OwnsModule(d, topModule))
                return ReadMetadata(d, sitePackages);
        foreach (var d in all)
            if (OwnsModule(d, topModule))
                return ReadMetadata(d, sitePackages);
        return null;
    }

    private static bool OwnsModule(string distInfo, string topModule)
    {
        var topLevel = Path.Combine(distInfo, "top_level.txt");
        if (File.Exists(topLevel))
        {
            foreach (var line in File.ReadLines(topLevel))
                if (line.Trim() == topModule) return true;
        }
        var record = Path.Combine(distInfo, "RECORD");
        if (!File.Exists(record) || new FileInfo(record).Length > MaxRecordBytes) return false;
        string dirPrefix = topModule + "/", filePrefix = topModule + ".py,";
        foreach (var line in File.ReadLines(record))
            if (line.StartsWith(dirPrefix, StringComparison.Ordinal) || line.StartsWith(filePrefix, StringComparison.Ordinal)) return true;
        return false;
    }

    private PythonDistribution? FindConsoleScriptOwner(string sitePackages, string scriptName)
    {
        foreach (var d in DistInfos(sitePackages))
        {
            var entryPoints = Path.Combine(d, "entry_points.txt");
            if (!File.Exists(entryPoints) || new FileInfo(entryPoints).Length > MaxMetadataBytes) continue;
            bool inScripts = false;
            foreach (var raw in File.ReadLines(entryPoints))
            {
                var line = raw.Trim();
                if (line.StartsWith('['))
                {
                    inScripts = line is "[console_scripts]" or "[gui_scripts]";
                    continue;
                }
                if (!inScripts) continue;
                int eq = line.IndexOf('=');
                if (eq > 0 && line[..eq].Trim() == scriptName) return ReadMetadata(d, sitePackages);
            }
        }
        return null;
    }

    /// <summary>Reads a dist-info's METADATA; null when it has no Name or Version.</summary>
    public static PythonDistribution? ReadMetadata(string distInfo, string sitePackages)
    {
        try
        {
            var path = Path.Combine(distInfo, "METADATA");
            var info = new FileInfo(path);
            if (!info.Exists) return null;
            string? name = null, version = null;
            var requires = new List<string>();
            using var reader = new StreamReader(path, Encoding.UTF8);
            int read = 0;
            string? line;
            while ((line = reader.ReadLine()) is not null && read < MaxMetadataBytes)
            {
                read += line.Length + 1;
                if (line.Length == 0) break; // the body (description) follows the headers
                if (line.StartsWith("Name:", StringComparison.OrdinalIgnoreCase)) name ??= line[5..].Trim();
                else if (line.StartsWith("Version:", StringComparison.OrdinalIgnoreCase)) version ??= line[8..].Trim();
                else if (line.StartsWith("Requires-Dist:", StringComparison.OrdinalIgnoreCase) && requires.Count < MaxRequires)
                {
                    // "mcp[cli]>=1.2; extra == 'x'" → "mcp"
                    var spec = line[14..].Trim();
                    int end = 0;
                    while (end < spec.Length && (char.IsAsciiLetterOrDigit(spec[end]) || spec[end] is '-' or '_' or '.')) end++;
                    if (end > 0) requires.Add(NormalizeName(spec[..end]));
                }
            }
            if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(version) || name.Length > 256 || version.Length > 256) return null;
            return new PythonDistribution(name, version, distInfo, sitePackages, requires);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
