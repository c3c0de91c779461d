using McpEgress.Attribution;
using McpEgress.Inventory.Clients;
using Semver;

namespace McpEgress.Inventory.Advisories;

/// <summary>
/// Malicious-package and vulnerability records in the OSV format, offline: a built-in set (embedded resources
/// under Advisories/BuiltIn: MAL-2025-47604, npm postmark-mcp from 1.0.16) plus every *.json below the folders given
/// (e.g. a checkout of the OpenSSF malicious-packages repository, whose records sit in osv/malicious/ECOSYSTEM/NAME/).
/// Indexed by (ecosystem, package name); versions are compared as semantic versions (Semver), not as strings.
/// </summary>
public sealed class AdvisoryDatabase
{
    private readonly Dictionary<(string Ecosystem, string Name), List<(OsvAdvisory Advisory, OsvAffected Affected)>> _byPackage = new();

    public int Count { get; private set; }
    public IReadOnlyList<ConfigProblem> Problems => _output.Problems;
    private readonly ConfigReadOutput _output = new();

    /// <summary>Largest advisory file read. Default 4 MiB.</summary>
    public int MaxFileBytes { get; init; } = 4 << 20;
    /// <summary>Files read per folder (the malicious-packages repository holds ~200,000). Default 1,000,000.</summary>
    public int MaxFiles { get; init; } = 1_000_000;

    /// <summary>Only the built-in records.</summary>
    public static AdvisoryDatabase BuiltIn()
    {
        var db = new AdvisoryDatabase();
        db.AddBuiltIn();
        return db;
    }

    public void AddBuiltIn()
    {
        var asm = typeof(AdvisoryDatabase).Assembly;
        foreach (var name in asm.GetManifestResourceNames())
        {
            if (!name.Contains(".Advisories.BuiltIn.", StringComparison.Ordinal) || !name.EndsWith(".json", StringComparison.Ordinal)) continue;
            using var s = asm.GetManifestResourceStream(name)!;
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            foreach (var a in OsvReader.Read("built-in:" + name, ms.ToArray(), _output)) Add(a);
        }
    }

    /// <summary>Reads every *.json below <paramref name="directory"/>; unreadable or malformed files become <see cref="Problems"/>.</summary>
    public void AddDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            _output.Problems.Add(new ConfigProblem(directory, 0, 0, "advisories folder not found"));
            return;
        }
        int files = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MatchCasing = MatchCasing.CaseInsensitive };
        foreach (var file in Directory.EnumerateFiles(directory, "*.json", options))
        {
            if (++files > MaxFiles)
            {
                _output.Problems.Add(new ConfigProblem(directory, 0, 0, $"more than {MaxFiles} advisory files; the rest were not read"));
                break;
            }
            try
            {
                var info = new FileInfo(file);
                if (info.Length > MaxFileBytes)
                {
                    _output.Problems.Add(new ConfigProblem(file, 0, 0, $"larger than {MaxFileBytes} bytes; not read"));
                    continue;
                }
                foreach (var a in OsvReader.Read(file, File.ReadAllBytes(file), _output)) Add(a);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _output.Problems.Add(new ConfigProblem(file, 0, 0, "cannot read: " + e.Message));
            }
        }
    }

    public void Add(OsvAdvisory advisory)
    {
        if (advisory.Withdrawn) return;
        Count++;
        foreach (var a in advisory.Affected)
        {
            var key = Key(a.Ecosystem, a.Name);
            if (!_byPackage.TryGetValue(key, out var list)) _byPackage[key] = list = [];
            list.Add((advisory, a));
        }
    }

    /// <summary>The advisories naming <paramref name="identity"/>'s package whose versions or ranges include its version.</summary>
    public List<AdvisoryMatch> Match(SenderIdentity identity)
    {
        var matches = new List<AdvisoryMatch>();
        if (identity.Ecosystem is not { } ecosystem) return matches;
        if (!_byPackage.TryGetValue(Key(ecosystem, identity.Name), out var list)) return matches;
        foreach (var (advisory, affected) in list)
        {
            if (matches.Any(m => m.Id == advisory.Id)) continue;
            if (Affects(affected, identity.Version) is { } how) matches.Add(new AdvisoryMatch(advisory.Id, advisory.Summary, how, advisory.Malicious));
        }
        return matches;
    }

    /// <summary>"version" (listed), "range" (inside an introduced/fixed range), "all-versions" (introduced 0, never fixed), or null.</summary>
    public static string? Affects(OsvAffected affected, string? version)
    {
        SemVersion? v = version is null ? null : ParseVersion(version);
        if (version is not null)
        {
            foreach (var listed in affected.Versions)
            {
                if (listed == version) return "version";
                if (v is not null && ParseVersion(listed) is { } lv && v.ComparePrecedenceTo(lv) == 0) return "version";
            }
        }
        foreach (var range in affected.Ranges)
        {
            if (range.Type is not ("SEMVER" or "ECOSYSTEM")) continue; // GIT ranges name commits, not releases
            if (range.Events.Count > 0 && range.Events.All(e => e.Kind != "introduced" || e.Version == "0")
                && range.Events.All(e => e.Kind is "introduced" or "limit"))
                return "all-versions";
            if (v is not null && InRange(range, v)) return "range";
        }
        return null;
    }

    // OSV evaluation: walking the events in version order, "introduced" ≤ v turns on, "fixed" ≤ v turns off,
    // "last_affected" < v turns off; "limit" only bounds git walks and is ignored here.
    private static bool InRange(OsvRange range, SemVersion v)
    {
        var events = new List<(SemVersion? At, string Kind)>();
        foreach (var e in range.Events)
        {
            if (e.Kind == "limit") continue;
            if (e.Version == "0" && e.Kind == "introduced") { events.Add((null, e.Kind)); continue; }
            if (ParseVersion(e.Version) is not { } at) return false; // not a version we can compare: no claim
            events.Add((at, e.Kind));
        }
        events.Sort((a, b) => a.At is null ? (b.At is null ? 0 : -1) : b.At is null ? 1 : a.At.ComparePrecedenceTo(b.At));
        bool affected = false;
        foreach (var (at, kind) in events)
        {
            int cmp = at is null ? -1 : at.ComparePrecedenceTo(v); // event version vs v
            switch (kind)
            {
                case "introduced" when cmp <= 0: affected = true; break;
                case "fixed" when cmp <= 0: affected = false; break;
                case "last_affected" when cmp < 0: affected = false; break;
            }
        }
        return affected;
    }

    private static SemVersion? ParseVersion(string s) =>
        SemVersion.TryParse(s.Trim(), SemVersionStyles.Any, out var v) ? v : null;

    private static (string, string) Key(string ecosystem, string name)
    {
        var eco = ecosystem.Trim();
        // PyPI names compare after PEP 503 normalization; npm names are exact (and lower case).
        return eco.Equals("PyPI", StringComparison.OrdinalIgnoreCase)
            ? ("pypi", PythonDistributionLocator.NormalizeName(name))
            : (eco.ToLowerInvariant(), name);
    }
}
