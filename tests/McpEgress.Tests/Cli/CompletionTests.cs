using McpEgress.Tests.Grafana;

namespace McpEgress.Tests.Cli;

/// <summary>
/// Shell completions are generated from the command tree (<c>mcp-egress completion bash|zsh|fish</c>): each script
/// is valid for its shell, names every option of every command, and really completes when the shell runs it.
/// </summary>
public sealed class CompletionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcp-egress-completion").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Script(string shell)
    {
        var (code, stdout, stderr) = CliRunner.Run("completion", shell);
        Assert.True(code == 0, stderr);
        var path = Path.Combine(_dir, "mcp-egress." + shell);
        File.WriteAllText(path, stdout);
        return path;
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("zsh")]
    [InlineData("fish")]
    public void ScriptIsValidAndNamesEveryOption(string shell)
    {
        var path = Script(shell);
        var r = ExternalTool.Run(shell, "Debian: apt-get install bash zsh fish", _dir, TimeSpan.FromSeconds(30), "-n", path);
        Assert.True(r.ExitCode == 0, r.Output);
        string text = File.ReadAllText(path);
        foreach (var option in new[] { "--config", "--output", "--keylog", "--no-progress", "--interface", "--filter", "--metrics-listen", "--workers" })
            Assert.Contains(shell == "fish" ? "-l " + option[2..] : option, text);
        foreach (var command in new[] { "replay", "watch", "config", "check", "completion" })
            Assert.Contains(command, text);
    }

    [Fact]
    public void BashCompletesAnOptionPrefix()
    {
        var path = Script("bash");
        var r = ExternalTool.Run("bash", "bash", _dir, TimeSpan.FromSeconds(30), "-c",
            $"source '{path}'; COMP_WORDS=(mcp-egress replay --no); COMP_CWORD=2; _mcp_egress; echo \"${{COMPREPLY[@]}}\"");
        Assert.Equal("--no-progress", r.Stdout.Trim());
    }

    [Fact]
    public void BashCompletesASubcommandAndItsFile()
    {
        var path = Script("bash");
        File.WriteAllText(Path.Combine(_dir, "policy.yaml"), "");
        var r = ExternalTool.Run("bash", "bash", _dir, TimeSpan.FromSeconds(30), "-c",
            $"source '{path}'; COMP_WORDS=(mcp-egress config ch); COMP_CWORD=2; _mcp_egress; echo \"${{COMPREPLY[@]}}\"; "
            + $"cd '{_dir}'; COMP_WORDS=(mcp-egress config check pol); COMP_CWORD=3; _mcp_egress; echo \"${{COMPREPLY[@]}}\"");
        Assert.Equal(["check", "policy.yaml"], r.Stdout.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("mcp-egress watch --met", "--metrics-listen")] // an option prefix
    [InlineData("mcp-egress config ", "check")]                 // a subcommand
    public void FishCompletes(string line, string expected)
    {
        var path = Script("fish");
        var r = ExternalTool.Run("fish", "Debian: apt-get install fish", _dir, TimeSpan.FromSeconds(30), "-c",
            $"source '{path}'; complete -C '{line}'");
        Assert.StartsWith(expected, r.Stdout.Trim(), StringComparison.Ordinal);
    }
}
