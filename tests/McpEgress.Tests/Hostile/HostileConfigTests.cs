using System.Text;
using McpEgress.Config;
using McpEgress.Tests.Cli;

namespace McpEgress.Tests.Hostile;

/// <summary>Issue 11, config: hostile files are one-line config errors (exit 2), never a crash or unbounded growth.</summary>
public sealed class HostileConfigTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("mcp-egress-hostile-config").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    /// <summary>Nine levels of ten aliases each: 10^9 strings once expanded, ~1 KB of text.</summary>
    internal static string AliasBomb(string under)
    {
        var sb = new StringBuilder();
        sb.Append(under).Append(":\n");
        sb.Append("  a0: &a0 [\"lol\"]\n");
        for (int i = 1; i <= 9; i++)
            sb.Append($"  a{i}: &a{i} [{string.Join(",", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        return sb.ToString();
    }

    private static ConfigException Rejects(string text, string format)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text, format, "c"));
        Assert.Single(e.Errors);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void ScannerInvalidOperation_IsASyntaxError()
    {
        // Found by afl (tests/McpEgress.Fuzz/crashes/config): YamlDotNet throws InvalidOperationException here.
        var path = Path.Combine(McpEgress.Tests.Golden.RepoPaths.Root, "tests", "McpEgress.Fuzz", "crashes", "config", "yaml-invalid-operation-plain-scalar");
        var e = Rejects(File.ReadAllText(path), "yaml");
        Assert.Contains("YAML syntax error", e.Message);
    }

    [Theory]
    [InlineData("surprise")]
    [InlineData("limits")]
    [InlineData("watch")]
    public void AliasBombIsRejectedBeforeExpansion(string under)
    {
        var e = Rejects(AliasBomb(under), "yaml");
        Assert.Contains("aliases are expanded", e.Message);
    }

    [Fact]
    public void AliasBombUnderDeniedDomainsIsRejected()
    {
        // The anchors sit where a list of domains is expected; expanded it would be 10^9 domains.
        string yaml = "detection:\n  denied_domains: &d9 [" + string.Join(",", Enumerable.Repeat("*d8", 10)) + "]\n";
        var sb = new StringBuilder("x:\n  - &d0 [giftshop.club]\n");
        for (int i = 1; i <= 8; i++) sb.Append($"  - &d{i} [{string.Join(",", Enumerable.Repeat($"*d{i - 1}", 10))}]\n");
        var e = Rejects(sb + yaml, "yaml");
        Assert.Contains("aliases are expanded", e.Message);
    }

    [Fact]
    public void ManySmallAliasesAreCounted()
    {
        var yaml = "limits:\n  x: &x 1\n  y: [" + string.Join(",", Enumerable.Repeat("*x", 1001)) + "]\n";
        Assert.Contains("more than 1000 aliases", Rejects(yaml, "yaml").Message);
        // ... and a few are fine.
        var ok = ConfigLoader.Parse("limits:\n  smtp:\n    max_line_bytes: &x 9000\n    max_held_bytes: *x\nwatch:\n  interfaces: [&i lo, *i]\n", "yaml");
        Assert.Equal(9000, ok.Limits.Protocols.Smtp.MaxHeldBytes);
        Assert.Equal(["lo", "lo"], ok.Watch.Interfaces);
    }

    [Fact]
    public void DeepFlowSequenceIsAnErrorNotAStackOverflow()
    {
        string yaml = "limits: " + new string('[', 100_000) + new string(']', 100_000) + "\n";
        var e = Rejects(yaml, "yaml");
        Assert.Contains("nested deeper than 64 levels", e.Message);
        Assert.StartsWith("c:1:", e.Message);
    }

    [Fact]
    public void DeepJsonIsAnError()
    {
        string json = "{\"limits\": {\"x\": " + new string('[', 100_000) + new string(']', 100_000) + "}}";
        var e = Rejects(json, "json");
        Assert.Contains("depth", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void NestingAtTheLimitIsFine()
    {
        // Root mapping + limits mapping + 62 lists = 64 levels: read, then judged by the limits section (no such section).
        string yaml = "limits:\n  x: " + new string('[', 62) + new string(']', 62) + "\n";
        Assert.Equal("c:2:3: limits.x: unknown section; expected one of: capture, decode, http, imf, keylog, mail_api, protocol, reassembly, smtp, tls, tunnel",
            Rejects(yaml, "yaml").Message);
        Assert.Contains("nested deeper", Rejects("limits:\n  x: " + new string('[', 63) + new string(']', 63) + "\n", "yaml").Message);
    }

    [Fact]
    public void EndlessStreamIsCutAtTheSizeLimit()
    {
        var link = Path.Combine(_tmp, "zero.yaml");
        File.CreateSymbolicLink(link, "/dev/zero");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(link));
        Assert.Equal($"{link}: the file is larger than 4194304 bytes (the config size limit); is it really a config file?", e.Message);
    }

    [Fact]
    public void LargeFileIsRejectedWithoutReadingIt()
    {
        var path = Path.Combine(_tmp, "big.yaml");
        File.WriteAllText(path, "detection:\n  denied_domains: [\"" + new string('a', 5 << 20) + "\"]\n");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, new ConfigReadLimits()));
        Assert.Contains("larger than 4194304 bytes", e.Message);
        // A smaller limit applies as set.
        File.WriteAllText(path, "limits: {}\n" + new string('#', 200));
        Assert.Contains("larger than 100 bytes", Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, new ConfigReadLimits { MaxFileBytes = 100 })).Message);
    }

    [Fact]
    public void DirectoryAndUnreadableFileAreOneLineErrors()
    {
        var dir = Path.Combine(_tmp, "d.yaml");
        Directory.CreateDirectory(dir);
        Assert.Equal($"{dir}: cannot read the file: it is a directory", Assert.Throws<ConfigException>(() => ConfigLoader.Load(dir)).Message);
        Assert.EndsWith("cannot read the file: no such file", Assert.Throws<ConfigException>(() => ConfigLoader.Load(Path.Combine(_tmp, "none.yaml"))).Message);
    }

    [Fact]
    public void LongValuesAreCutInMessages()
    {
        string huge = new string('x', 3_000_000) + " y";
        var e = Rejects($"detection:\n  denied_domains: [\"{huge}\"]\n", "yaml");
        Assert.True(e.Message.Length < 300, e.Message[..Math.Min(300, e.Message.Length)]);
        Assert.Contains("\"" + new string('x', 80) + "… (3000002 chars)\"", e.Message);
        // Keys, severities and the watch section too; control characters never break the line.
        Assert.Contains("\\n", Rejects("\"bad\\nkey" + new string('k', 1000) + "\": 1\n", "yaml").Message);
        Assert.True(Rejects("detection:\n  rules:\n    denied-domain: { severity: " + new string('s', 10_000) + " }\n", "yaml").Message.Length < 300);
        var we = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("watch:\n  filter: 1\n  output: [" + new string('o', 10_000) + "]\n", "yaml"));
        Assert.All(we.Errors, x => Assert.True(x.ToString().Length < 300));
    }

    [Fact]
    public void ManyErrorsAreCappedInTheMessage()
    {
        var yaml = "detection:\n  denied_domains: [" + string.Join(",", Enumerable.Repeat("\"a b\"", 500)) + "]\n";
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "yaml", "c"));
        Assert.Equal(500, e.Errors.Count);
        var lines = e.Message.Split(Environment.NewLine);
        Assert.Equal(ConfigException.MaxErrorsShown + 1, lines.Length);
        Assert.Equal("c: ... and 480 more errors", lines[^1]);
    }

    [Fact]
    public void CliExitsTwoWithOneLineOnEachHostileConfig()
    {
        var capture = Path.Combine(Golden.RepoPaths.Captures, "smtp/nodemailer-envelope-hidden.pcap");
        var zero = Path.Combine(_tmp, "zero.yaml");
        File.CreateSymbolicLink(zero, "/dev/zero");
        var bomb = Path.Combine(_tmp, "bomb.yaml");
        File.WriteAllText(bomb, AliasBomb("detection"));
        var deep = Path.Combine(_tmp, "deep.yaml");
        File.WriteAllText(deep, "limits: " + new string('[', 100_000) + new string(']', 100_000) + "\n");
        foreach (var cfg in new[] { zero, bomb, deep })
        {
            var (code, stdout, stderr) = CliRunner.Run("replay", capture, "--config", cfg);
            Assert.True(code == 2, $"{cfg}: exit {code}: {stderr}");
            Assert.Equal("", stdout);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("mcp-egress: " + cfg, line);
        }
    }
}
