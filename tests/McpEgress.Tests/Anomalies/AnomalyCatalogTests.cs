using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using McpEgress.Diagnostics;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Anomalies;

/// <summary>
/// The anomaly catalogue (<see cref="AnomalyCatalog"/>) is the only place anomaly names are written: names are unique
/// snake_case per stage, every constant is in its stage's table with the description its XML doc gives, no call site in
/// src/ reports a string literal, tests name only catalogued anomalies, and src/McpEgress/Diagnostics/ANOMALIES.md is
/// the catalogue.
/// </summary>
public partial class AnomalyCatalogTests
{
    private static string Src => Path.Combine(RepoPaths.Root, "src");
    private static string MarkdownPath => Path.Combine(Src, "McpEgress", "Diagnostics", "ANOMALIES.md");

    /// <summary>The values of the <see cref="AnomalyStage"/> constants, by member name.</summary>
    private static Dictionary<string, string> Stages() =>
        typeof(AnomalyStage).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!, StringComparer.Ordinal);

    [Fact]
    public void Names_AreSnakeCaseAndUniquePerStage_DescriptionsOneSentence()
    {
        var stages = Stages().Values.ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<(string, string)>();
        foreach (var a in AnomalyCatalog.All)
        {
            Assert.Contains(a.Stage, stages);
            Assert.Matches(SnakeCase(), a.Name);
            Assert.True(seen.Add((a.Stage, a.Name)), $"{a.Stage}/{a.Name} is catalogued twice");
            Assert.False(string.IsNullOrWhiteSpace(a.Description), $"{a.Stage}/{a.Name} has no description");
            Assert.DoesNotContain('\n', a.Description);
            Assert.EndsWith(".", a.Description);
            Assert.True(AnomalyCatalog.Contains(a.Stage, a.Name));
        }
        Assert.False(AnomalyCatalog.Contains(AnomalyStage.Imf, "header_too_long"));
    }

    [Fact]
    public void EachStage_HasOneCatalogue_WhoseConstantsAreItsTable()
    {
        var stagesWithTable = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (type, table) in AnomalyCatalog.Stages)
        {
            Assert.NotEmpty(table);
            string stage = table[0].Stage;
            Assert.All(table, a => Assert.Equal(stage, a.Stage));
            Assert.True(stagesWithTable.Add(stage), $"stage {stage} has two catalogues");
            Assert.EndsWith("Anomalies", type.Name);
            var constants = type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral)
                .Select(f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(constants, table.Select(a => a.Name).Order(StringComparer.Ordinal).ToList());
        }
        Assert.Equal(Stages().Values.Order(StringComparer.Ordinal), stagesWithTable.Order(StringComparer.Ordinal));
        Assert.Equal(AnomalyCatalog.Stages.Sum(s => s.Table.Count), AnomalyCatalog.All.Count);
    }

    [Fact]
    public void EachConstant_IsDocumented_WithItsTableDescription()
    {
        foreach (var (type, table) in AnomalyCatalog.Stages)
        {
            string folder = type.Namespace!["McpEgress.".Length..].Replace('.', Path.DirectorySeparatorChar);
            string source = File.ReadAllText(Path.Combine(Src, "McpEgress", folder, type.Name + ".cs"));
            var docs = ConstantDoc().Matches(source).ToDictionary(m => m.Groups[2].Value, m => WebUtility.HtmlDecode(m.Groups[1].Value));
            var constants = type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral)
                .ToDictionary(f => (string)f.GetRawConstantValue()!, f => f.Name, StringComparer.Ordinal);
            foreach (var a in table)
            {
                string member = constants[a.Name];
                Assert.True(docs.TryGetValue(member, out var doc), $"{type.Name}.{member} has no one-line <summary>");
                Assert.Equal(a.Description, doc);
            }
        }
    }

    /// <summary>
    /// Methods that take an anomaly name: <see cref="IAnomalySink.Report"/> and the stages' helpers around it
    /// (<c>Report(name)</c>, <c>Anomaly(name)</c>, <c>Malformed(name)</c>, the tunnel handshake's <c>Fail(name)</c>, the
    /// pcapng reader's <c>Stop(reason, name)</c>), plus assignments to a variable named <c>anomaly</c>.
    /// </summary>
    [Fact]
    public void NoCallSiteInSrc_ReportsAStringLiteral()
    {
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Src, "*.cs", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(Src, file);
            if (rel.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") || rel.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")) continue;
            if (Path.GetFileName(file).EndsWith("Anomalies.cs", StringComparison.Ordinal)) continue; // the catalogues
            offenders.AddRange(LiteralNames(File.ReadAllText(file)).Select(o => $"{rel}:{o}"));
        }
        Assert.True(offenders.Count == 0, "anomaly names must be catalogue constants, not literals:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void Tests_NameOnlyCataloguedAnomalies()
    {
        var stages = Stages();
        var stageValues = stages.Values.ToHashSet(StringComparer.Ordinal);
        var unknown = new List<string>();
        string tests = Path.Combine(RepoPaths.Root, "tests");
        foreach (var file in Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")) continue;
            if (file.EndsWith(nameof(AnomalyCatalogTests) + ".cs", StringComparison.Ordinal) || file.EndsWith("EgressMetricsTests.cs", StringComparison.Ordinal)) continue; // uncatalogued on purpose
            string code = File.ReadAllText(file);
            foreach (Match m in StagePairByConstant().Matches(code))
            {
                if (!stages.TryGetValue(m.Groups[1].Value, out var stage)) continue;
                if (!AnomalyCatalog.Contains(stage, m.Groups[2].Value)) unknown.Add($"{Path.GetRelativePath(tests, file)}: {stage}/{m.Groups[2].Value}");
            }
            foreach (Match m in StagePairByLiteral().Matches(code))
            {
                if (!stageValues.Contains(m.Groups[1].Value)) continue;
                if (!AnomalyCatalog.Contains(m.Groups[1].Value, m.Groups[2].Value)) unknown.Add($"{Path.GetRelativePath(tests, file)}: {m.Groups[1].Value}/{m.Groups[2].Value}");
            }
        }
        Assert.True(unknown.Count == 0, "tests name anomalies the code never reports:\n" + string.Join('\n', unknown));
    }

    /// <summary>Every shipped capture replayed through the real pipeline (the Grafana metrics sample) reports only catalogued names.</summary>
    [Fact]
    public void ReplayingEveryCapture_ReportsOnlyCataloguedNames()
    {
        var series = AnomalySeries().Matches(McpEgress.Tests.Grafana.MetricsSample.Text).ToList();
        Assert.Equal(AnomalyCatalog.All.Count, series.Count);
        Assert.All(series, m => Assert.True(AnomalyCatalog.Contains(m.Groups[1].Value, m.Groups[2].Value), m.Value));
    }

    /// <summary>src/McpEgress/Diagnostics/ANOMALIES.md is generated; <c>MCP_EGRESS_UPDATE_DOCS=1</c> rewrites it instead of failing.</summary>
    [Fact]
    public void AnomaliesMarkdown_IsTheCatalogue()
    {
        string expected = AnomalyCatalog.ToMarkdown();
        if (Environment.GetEnvironmentVariable("MCP_EGRESS_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(MarkdownPath, expected);
            return;
        }
        Assert.True(File.Exists(MarkdownPath), $"{MarkdownPath} is missing; regenerate it with MCP_EGRESS_UPDATE_DOCS=1");
        Assert.True(expected == File.ReadAllText(MarkdownPath).ReplaceLineEndings("\n"),
            "src/McpEgress/Diagnostics/ANOMALIES.md is out of date with the catalogue: run " +
            "MCP_EGRESS_UPDATE_DOCS=1 dotnet test tests/McpEgress.Tests --filter FullyQualifiedName~AnomalyCatalogTests");
    }

    [Fact]
    public void Markdown_HasATablePerStage_LinkingItsSource()
    {
        string md = AnomalyCatalog.ToMarkdown();
        foreach (var (type, table) in AnomalyCatalog.Stages)
        {
            Assert.Contains($"\n## {table[0].Stage}\n", md);
            var link = Regex.Match(md, @"\[`" + type.Name + @"`\]\(([^)]+)\)");
            Assert.True(link.Success);
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(MarkdownPath)!, link.Groups[1].Value)), link.Groups[1].Value);
            foreach (var a in table) Assert.Contains($"| `{a.Name}` | ", md);
        }
    }

    [Fact]
    public void LiteralScan_FindsEveryWayANameReachesASink()
    {
        const string code = """
            _anomalies.Report(AnomalyStage.Tls, "stream_gap");
            anomalies?.Report(AnomalyStage.Http,
                fromClient ? "bad_request_line" : TlsAnomalies.StreamGap);
            Report(v6 ? "ipv6_fragment_overlap" : DecodeAnomalies.Ipv4FragmentOverlap);
            c.Report("too_many_messages");
            if (x) { Anomaly("pcapng_bad_tsresol"); break; }
            return Malformed(snapCut ? DecodeAnomalies.Ipv4HeaderTruncated : "ipv4_too_short");
            Fail("gap");
            return Stop($"block at {offset} is bad", "pcapng_bad_block_length");
            private bool Stop(string? reason, string anomaly = "capture_truncated")
            else if (length > max) anomaly = "record_too_large";
            // Report(AnomalyStage.Tls, "a_comment");
            anomalies.Report(AnomalyStage.Http, coding switch { "br" => HttpAnomalies.BrInvalid, _ => HttpAnomalies.GzipInvalid });
            if (HasHeader(headers, "host"u8)) Fail(TunnelAnomalies.TunnelBadReply);
            return Stop($"file ends inside the block at offset {blockStart}");
            """;
        var found = LiteralNames(code).Select(o => o[(o.IndexOf(' ') + 1)..]).ToList();
        Assert.Equal(11, found.Count);
        foreach (var name in new[] { "stream_gap", "bad_request_line", "ipv6_fragment_overlap", "too_many_messages", "pcapng_bad_tsresol",
                     "ipv4_too_short", "\"gap\"", "pcapng_bad_block_length", "capture_truncated", "record_too_large" })
            Assert.Contains(found, f => f.Contains(name, StringComparison.Ordinal));
        Assert.DoesNotContain(found, f => f.Contains("a_comment", StringComparison.Ordinal) || f.Contains("\"br\"", StringComparison.Ordinal)
            || f.Contains("host", StringComparison.Ordinal));
    }

    /// <summary>"line: what" for every anomaly name written as a string literal in <paramref name="source"/>.</summary>
    private static IEnumerable<string> LiteralNames(string source)
    {
        string code = string.Join('\n', source.Split('\n').Select(l => l.TrimStart().StartsWith("//", StringComparison.Ordinal) ? "" : l));
        foreach (Match call in ReportingCall().Matches(code))
        {
            string args = Arguments(code, call.Index + call.Length);
            foreach (Match lit in NameLiteral().Matches(args))
                yield return $"{Line(code, call.Index)}: \"{lit.Groups[1].Value}\" in {call.Value.Trim()}...)";
        }
        foreach (Match m in AnomalyAssignment().Matches(code))
            yield return $"{Line(code, m.Index)}: {m.Value}";
    }

    /// <summary>The text between the parenthesis at <paramref name="start"/> and its match.</summary>
    private static string Arguments(string code, int start)
    {
        int depth = 1;
        for (int i = start; i < code.Length; i++)
        {
            if (code[i] == '(') depth++;
            else if (code[i] == ')' && --depth == 0) return code[start..i];
        }
        return code[start..];
    }

    private static int Line(string code, int index) => code.AsSpan(0, index).Count('\n') + 1;

    [GeneratedRegex(@"^mcp_egress_anomalies_total\{stage=""([^""]*)"",name=""([^""]*)""\}", RegexOptions.Multiline)]
    private static partial Regex AnomalySeries();

    [GeneratedRegex(@"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();

    [GeneratedRegex(@"/// <summary>([^\n]*)</summary>\s*public const string (\w+) =")]
    private static partial Regex ConstantDoc();

    [GeneratedRegex(@"\b(?:Report|Anomaly|Malformed|Fail|Stop)\s*\(")]
    private static partial Regex ReportingCall();

    // A whole snake_case string: not a u8 literal, not a switch pattern ("br" => ...), not interpolated.
    [GeneratedRegex(@"(?<![$@\w])""([a-z][a-z0-9]*(?:_[a-z0-9]+)*)""(?!u8)(?!\s*=>)")]
    private static partial Regex NameLiteral();

    [GeneratedRegex(@"\b[Aa]nomaly\s*=\s*""[^""]*""")]
    private static partial Regex AnomalyAssignment();

    [GeneratedRegex(@"AnomalyStage\.(\w+)\s*,\s*""([^""]+)""")]
    private static partial Regex StagePairByConstant();

    [GeneratedRegex(@"\b(?:Get|Report)\(\s*""([a-z_]+)""\s*,\s*""([^""]+)""\s*\)")]
    private static partial Regex StagePairByLiteral();
}
