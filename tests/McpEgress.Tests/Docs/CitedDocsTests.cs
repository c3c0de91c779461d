using System.Text.RegularExpressions;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Docs;

/// <summary>
/// Every Markdown file a source comment cites lives in the repository: a bare name is a file beside the citing one,
/// anything with a folder a path from the repository root (src/McpEgress/Protocols/MailApis/mail-apis.md). Notes kept
/// outside the repo (a shared folder) would leave the comment pointing nowhere for everyone else.
/// </summary>
public sealed partial class CitedDocsTests
{
    [GeneratedRegex(@"\w+://\S+")]
    private static partial Regex UrlRegex();

    [GeneratedRegex(@"(?<![\w/.-])((?:\.{1,2}/|/)?(?:[\w.-]+/)*[\w.-]+\.md)\b")]
    private static partial Regex MarkdownRegex();

    [Fact]
    public void MarkdownFilesCitedInCommentsExist()
    {
        var root = RepoPaths.Root;
        var missing = new List<string>();
        int cited = 0;
        foreach (var file in SourceFiles(root))
        {
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                int comment = line.IndexOf("//", StringComparison.Ordinal);
                if (comment < 0 || line[..comment].Trim().Length > 0) continue; // comment lines only
                foreach (Match m in MarkdownRegex().Matches(UrlRegex().Replace(line[comment..], "")))
                {
                    cited++;
                    if (!Resolves(root, file, m.Groups[1].Value))
                        missing.Add($"{Path.GetRelativePath(root, file)}:{i + 1}: {m.Groups[1].Value}");
                }
            }
        }
        Assert.True(cited > 10, $"only {cited} citations found: is the scan looking at the sources?");
        Assert.True(missing.Count == 0, "cited but not in the repository:\n" + string.Join("\n", missing));
    }

    private static bool Resolves(string root, string file, string cited)
    {
        string full = cited.Contains('/')
            ? Path.GetFullPath(Path.Combine(root, cited))
            : Path.Combine(Path.GetDirectoryName(file)!, cited);
        return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(full);
    }

    private static IEnumerable<string> SourceFiles(string root) =>
        new[] { "src", "tests" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj" or "node_modules"));
}
