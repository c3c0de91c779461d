using System.ComponentModel;
using System.Diagnostics;

namespace McpEgress.Tests.Grafana;

/// <summary>Runs a command-line tool with a time limit; a missing tool fails with the package that provides it.</summary>
internal static class ExternalTool
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;
    }

    public static Result Run(string tool, string installHint, string? workingDirectory, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException(tool + " did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{tool} is required for the Grafana/Prometheus checks ({installHint}): {e.Message}", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish within {timeout}");
            }
            process.WaitForExit();
            return new Result(process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    public static Result Promtool(params string[] args) =>
        Run("promtool", "Debian: apt-get install prometheus", GrafanaFiles.Grafana("prometheus"), TimeSpan.FromSeconds(120), args);
}
