using System.Diagnostics;

namespace McpEgress.Tests.Cli;

/// <summary>Runs the real mcp-egress CLI (the built mcp-egress.dll next to the tests) as a child process.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => RunIn(null, args);

    /// <summary>Runs it with <paramref name="workingDirectory"/> as its current directory (null: the tests').</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunIn(string? workingDirectory, params string[] args) =>
        RunWith(null, workingDirectory, args);

    /// <summary>Runs <paramref name="executable"/> (the Native AOT binary), or with null the built mcp-egress.dll.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunWith(string? executable, string? workingDirectory, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "mcp-egress.dll");
        if (executable is null) Assert.True(File.Exists(dll), "mcp-egress.dll not built next to the tests: " + dll);
        var psi = new ProcessStartInfo(executable ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        if (executable is null) psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); Assert.Fail("mcp-egress did not finish in 120 s"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
