using System.Diagnostics;

namespace McpEgress.Tests.Fixtures;

/// <summary>A node child process for host tests; killed (by its own handle) on dispose.</summary>
internal sealed class NodeProcess : IDisposable
{
    public Process Process { get; }

    private NodeProcess(Process p) => Process = p;

    public static NodeProcess Start(string workingDirectory, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("node")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        return new NodeProcess(Process.Start(psi)!);
    }

    /// <summary>Next stdout line, or a failure with stderr when the process ends or 30 s pass.</summary>
    public string ReadLine()
    {
        var t = Process.StandardOutput.ReadLineAsync();
        if (!t.Wait(TimeSpan.FromSeconds(30)) || t.Result is null)
            throw new Xunit.Sdk.XunitException("node said nothing: " + ReadStderr());
        return t.Result;
    }

    public string ReadStderr()
    {
        try
        {
            if (!Process.HasExited) Process.Kill();
            Process.WaitForExit(5000);
            return Process.StandardError.ReadToEnd();
        }
        catch (InvalidOperationException) { return ""; }
    }

    public void Dispose()
    {
        try { if (!Process.HasExited) { Process.Kill(entireProcessTree: true); Process.WaitForExit(5000); } }
        catch (InvalidOperationException) { }
        Process.Dispose();
    }
}
