using System.Diagnostics;
using System.Text;

namespace McpEgress.Tests.Prometheus;

/// <summary>Finds and runs the Prometheus binaries (Debian package "prometheus"; CI installs it).</summary>
internal static class ExternalTool
{
    /// <summary>Full path of <paramref name="name"/> on PATH; fails the test with an install hint when missing.</summary>
    public static string Require(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        Assert.Fail($"'{name}' was not found on PATH. Install it (Debian/Ubuntu: apt-get install prometheus, which ships "
            + "/usr/bin/prometheus and /usr/bin/promtool) to run the exposition-format checks.");
        return null!;
    }

    /// <summary>Runs a tool with <paramref name="stdin"/>, returns exit code and combined output; kills it after <paramref name="timeout"/>.</summary>
    public static (int ExitCode, string Output) Run(string path, string arguments, string stdin, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(path, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        var output = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{path} {arguments} did not finish within {timeout.TotalSeconds} s");
        }
        p.WaitForExit(); // flush async output
        lock (output) return (p.ExitCode, output.ToString());
    }
}
