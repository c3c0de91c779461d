namespace McpEgress.Tests.Fuzz;

/// <summary>
/// Every seed and every saved crash (tests/McpEgress.Fuzz/crashes/TARGET/, one file per crash ever found) runs through
/// its fuzzing target in-process without an exception. Fast: no afl-fuzz, no instrumentation.
/// </summary>
public class FuzzRegressionTests
{
    [SkippableTheory]
    [MemberData(nameof(Targets))]
    public void Seeds_and_saved_crashes_replay_without_an_exception(string target)
    {
        var paths = new List<string> { FuzzHarness.Seeds(target) };
        if (Directory.Exists(FuzzHarness.Crashes(target))) paths.Add(FuzzHarness.Crashes(target));
        var (rc, output) = FuzzHarness.Fuzz([target, "--replay", .. paths]);
        Assert.Contains($"{target}: ", output);
        var failures = FuzzFailures.Classify(target, output);
        Assert.True(failures.New.Count == 0, "new failures:\n" + string.Join("\n", failures.New));
        Skip.If(failures.Open.Count > 0, string.Join("; ", failures.Open));
        Assert.True(rc == 0, output);
    }

    [Fact]
    public void Every_target_has_seeds_and_every_seeds_folder_is_a_target()
    {
        var (rc, output) = FuzzHarness.Fuzz("--list");
        Assert.Equal(0, rc);
        var listed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order();
        Assert.Equal(listed, FuzzHarness.TargetNames());
    }

    public static TheoryData<string> Targets() => FuzzHarness.Targets();
}
