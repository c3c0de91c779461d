using System.Diagnostics;
using System.Globalization;

namespace McpEgress.Benchmarks;

/// <summary>
/// Runs a program as a child process and measures its wall time and peak resident set size. The peak comes from
/// wait4's rusage ru_maxrss, read through GNU time (<c>/usr/bin/time -f %M</c>) when it is installed; otherwise
/// from sampling <c>/proc/PID/status</c> VmHWM every 10 ms until the child exits (a high-water mark, so only growth
/// in the last few milliseconds can be missed). CPU time (user + system, from the same rusage) is steadier than wall
/// time on a shared machine; it is known only through GNU time (else -1).
/// </summary>
internal sealed record ChildRun(TimeSpan Wall, double CpuSeconds, long PeakRssBytes, int ExitCode, long StdoutLines, string Stderr, string RssSource)
{
    private const string GnuTime = "/usr/bin/time";

    public static ChildRun Start(string program, IReadOnlyList<string> args)
    {
        string? rssFile = File.Exists(GnuTime) ? Path.GetTempFileName() : null;
        var psi = rssFile is null ? new ProcessStartInfo(program) : new ProcessStartInfo(GnuTime);
        if (rssFile is not null) foreach (var a in new[] { "-f", "%M %U %S", "-o", rssFile, program }) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        long hwmKb = 0;
        double cpu = -1;
        var sampler = rssFile is not null ? Task.CompletedTask : Task.Run(async () =>
        {
            while (!p.HasExited)
            {
                hwmKb = Math.Max(hwmKb, ReadVmHwmKb(p.Id));
                await Task.Delay(10);
            }
        });
        long lines = 0;
        while (p.StandardOutput.ReadLine() is not null) lines++;
        p.WaitForExit();
        sw.Stop();
        sampler.Wait();
        string err = stderr.Result;
        if (rssFile is not null)
        {
            var text = File.ReadAllText(rssFile).Trim().Split('\n');
            File.Delete(rssFile);
            var f = text[^1].Split(' ');
            hwmKb = long.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb : 0;
            if (f.Length == 3) cpu = double.Parse(f[1], CultureInfo.InvariantCulture) + double.Parse(f[2], CultureInfo.InvariantCulture);
        }
        return new ChildRun(sw.Elapsed, cpu, hwmKb * 1024, p.ExitCode, lines, err, rssFile is null ? "VmHWM" : "ru_maxrss");
    }

    private static long ReadVmHwmKb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        return 0;
    }
}
