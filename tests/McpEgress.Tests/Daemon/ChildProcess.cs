using System.Diagnostics;
using System.Text;

namespace McpEgress.Tests.Daemon;

/// <summary>A helper child process (SMTP sink, Node server/client, Prometheus); killed on dispose. Output lines are kept.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly List<string> _stdout = [];
    private readonly StringBuilder _stderr = new();
    private readonly SemaphoreSlim _lines = new(0);

    private ChildProcess(Process p) => Process = p;

    public Process Process { get; }

    public string Output { get { lock (_stdout) return string.Join("\n", _stdout) + "\n" + _stderr; } }

    public static ChildProcess Start(string file, string workingDirectory, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true,
            RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var c = new ChildProcess(Process.Start(psi)!);
        c.Process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (c._stdout) c._stdout.Add(e.Data);
            c._lines.Release();
        };
        c.Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (c._stderr) c._stderr.AppendLine(e.Data); };
        c.Process.BeginOutputReadLine();
        c.Process.BeginErrorReadLine();
        return c;
    }

    /// <summary>Waits for a stdout line starting with <paramref name="prefix"/>; returns it.</summary>
    public string WaitLine(string prefix, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            lock (_stdout)
                foreach (var l in _stdout)
                    if (l.StartsWith(prefix, StringComparison.Ordinal)) return l;
            var left = timeout - sw.Elapsed;
            if (left <= TimeSpan.Zero || (Process.HasExited && !_lines.Wait(100)))
                Assert.Fail($"{Process.StartInfo.FileName}: no line '{prefix}' within {timeout.TotalSeconds} s:\n{Output}");
            _lines.Wait(left > TimeSpan.FromMilliseconds(200) ? TimeSpan.FromMilliseconds(200) : left);
        }
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!Process.WaitForExit(timeout))
            Assert.Fail($"{Process.StartInfo.FileName} did not finish within {timeout.TotalSeconds} s:\n{Output}");
        Process.WaitForExit();
        return Process.ExitCode;
    }

    public void Dispose()
    {
        try { if (!Process.HasExited) { Process.Kill(entireProcessTree: true); Process.WaitForExit(5000); } }
        catch (InvalidOperationException) { }
        Process.Dispose();
    }
}
