using System.Globalization;

namespace McpEgress.Tests.Fuzz;

/// <summary>
/// Each fuzzing target runs under afl-fuzz for a fixed small budget (tests/McpEgress.Fuzz/run-fuzz.sh, 10 s a target,
/// about 3 minutes for all): the harness starts, afl-fuzz sees coverage and executions, and nothing crashes. Long
/// runs are run-fuzz.sh --hours H, by hand.
/// </summary>
public class FuzzSmokeTests : IClassFixture<FuzzSmokeTests.InstrumentedBuild>
{
    private const int Seconds = 10;
    private readonly InstrumentedBuild _build;

    public FuzzSmokeTests(InstrumentedBuild build) => _build = build;

    /// <summary>One Release publish + sharpfuzz instrumentation for all rows (installs afl++ and sharpfuzz if missing).</summary>
    public sealed class InstrumentedBuild
    {
        public string Out { get; } = Path.Combine(Golden.RepoPaths.Root, "artifacts", "fuzz-ci");
        public (int ExitCode, string Output) Result { get; }

        public InstrumentedBuild() =>
            Result = FuzzHarness.Run("bash", [Script, "--build-only"], TimeSpan.FromMinutes(10), Env(Out));

        public static string Script => Path.Combine(FuzzHarness.Project, "run-fuzz.sh");
        public static Dictionary<string, string> Env(string output) => new() { ["FUZZ_OUT"] = output };
    }

    [SkippableTheory]
    [MemberData(nameof(Targets))]
    public void Target_runs_under_afl_without_crashes(string target)
    {
        Skip.If(_build.Result.ExitCode != 0 && !OnPath("afl-fuzz"),
            "afl-fuzz is not installed and could not be installed: " + _build.Result.Output);
        Assert.True(_build.Result.ExitCode == 0, _build.Result.Output);

        var (rc, output) = FuzzHarness.Run("bash", [InstrumentedBuild.Script, "--no-build", "--seconds", Seconds.ToString(), target],
            TimeSpan.FromMinutes(3), InstrumentedBuild.Env(_build.Out));

        // The summary row: target execs execs/s edges bitmap crashes hangs
        var row = output.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .LastOrDefault(f => f.Length == 7 && f[0] == target);
        Assert.True(row is not null, "no summary row for " + target + ":\n" + output);
        Assert.True(long.Parse(row[1], CultureInfo.InvariantCulture) > 0, "no executions:\n" + output);
        Assert.True(int.Parse(row[3], CultureInfo.InvariantCulture) > 0, "no edges:\n" + output);
        if (row[5] != "0")
        {
            // Replay what afl-fuzz saved: crashes that are all known open issues skip (named); anything else fails.
            var (_, replay) = FuzzHarness.Fuzz(target, "--replay", Path.Combine(_build.Out, target, "default", "crashes"));
            var failures = FuzzFailures.Classify(target, replay);
            Assert.True(failures.New.Count == 0 && failures.Open.Count > 0, $"afl-fuzz found crashes in {target}:\n{output}\n{replay}");
            Skip.If(true, $"{target}: only known open issues crashed: " + string.Join("; ", failures.Open.Distinct()));
        }
        Assert.True(rc == 0, output);
    }

    public static TheoryData<string> Targets() => FuzzHarness.Targets();

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, name)));
}
