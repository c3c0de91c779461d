using System.Globalization;
using System.Text.RegularExpressions;
using McpEgress.Tests.Golden;
using McpEgress.Tests.Grafana;

namespace McpEgress.Tests.Daemon;

/// <summary>
/// src/deploy/mcp-egress.service checked by systemd itself: <c>systemd-analyze verify</c> accepts it (with ExecStart
/// pointed at the built binary) and <c>systemd-analyze security</c> scores its exposure (2.2 when written; fails above 3).
/// </summary>
public sealed partial class SystemdUnitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcp-egress-unit").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string UnitText => File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "deploy", "mcp-egress.service"));

    private string UnitWithBuiltBinary()
    {
        var binary = Path.Combine(AppContext.BaseDirectory, "mcp-egress");
        Assert.True(File.Exists(binary), "the CLI apphost is built next to the tests: " + binary);
        var path = Path.Combine(_dir, "mcp-egress.service");
        File.WriteAllText(path, UnitText.Replace("ExecStart=/usr/bin/mcp-egress", "ExecStart=" + binary, StringComparison.Ordinal));
        return path;
    }

    [Fact]
    public void UnitSaysWhatTheDaemonDoes()
    {
        var unit = UnitText;
        foreach (var line in new[] { "Type=notify", "WatchdogSec=", "RestartPreventExitStatus=1 2", "SystemCallFilter=@system-service",
                                     "IPAddressAllow=localhost", "IPAddressDeny=any", "MemoryMax=" })
            Assert.Contains("\n" + line, unit);
    }

    [SkippableFact]
    public void SystemdAcceptsTheUnit()
    {
        Skip.IfNot(File.Exists("/usr/bin/systemd-analyze"), "systemd-analyze is not installed");
        var r = ExternalTool.Run("systemd-analyze", "systemd", _dir, TimeSpan.FromMinutes(1), "verify", UnitWithBuiltBinary());
        Assert.True(r.ExitCode == 0, r.Output);
    }

    [SkippableFact]
    public void ExposureScoreStaysLow()
    {
        Skip.IfNot(File.Exists("/usr/bin/systemd-analyze"), "systemd-analyze is not installed");
        var r = ExternalTool.Run("systemd-analyze", "systemd", _dir, TimeSpan.FromMinutes(1), "security", "--offline=true", UnitWithBuiltBinary());
        var m = ScoreRegex().Match(r.Output);
        Assert.True(m.Success, r.Output);
        double score = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(score <= 3.0, $"exposure {score} (2.2 when the unit was hardened)");
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+\.\d+)")]
    private static partial Regex ScoreRegex();
}
