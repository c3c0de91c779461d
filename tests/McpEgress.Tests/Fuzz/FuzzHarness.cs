using System.Diagnostics;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Fuzz;

/// <summary>
/// The fuzzing project (tests/McpEgress.Fuzz) seen from the tests: its targets (one seeds/TARGET folder each), its
/// build in this test run's configuration, and its command line run as a child process.
/// </summary>
internal static class FuzzHarness
{
    public static string Project => Path.Combine(RepoPaths.Root, "tests", "McpEgress.Fuzz");
    public static string Seeds(string target) => Path.Combine(Project, "seeds", target);
    public static string Crashes(string target) => Path.Combine(Project, "crashes", target);

    public static string[] TargetNames() =>
        [.. Directory.GetDirectories(Path.Combine(Project, "seeds")).Select(d => Path.GetFileName(d)).Order()];

    public static TheoryData<string> Targets() => new(TargetNames());

    private static readonly Lazy<string> BuiltDll = new(() =>
    {
        // The solution build (tests/run-all.sh) already built it next to us: bin/CONFIG/net10.0 of the fuzz project.
        var config = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        var dll = Path.Combine(Project, "bin", config, "net10.0", "McpEgress.Fuzz.dll");
        if (!File.Exists(dll))
        {
            var (rc, output) = Run("dotnet", ["build", Project, "-c", config, "--nologo", "-v", "q"], TimeSpan.FromMinutes(5));
            if (rc != 0) throw new InvalidOperationException("building McpEgress.Fuzz failed:\n" + output);
        }
        return dll;
    });

    /// <summary>Runs <c>mcp-egress-fuzz ARGS</c> in-process mode (no afl-fuzz).</summary>
    public static (int ExitCode, string Output) Fuzz(params string[] args) =>
        Run("dotnet", [BuiltDll.Value, .. args], TimeSpan.FromMinutes(2));

    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, TimeSpan timeout,
        IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} ran longer than {timeout}");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
