using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace McpEgress.Tests.Daemon;

/// <summary>The real <c>mcp-egress watch</c> (the built mcp-egress.dll) as a child process, with its stderr kept.</summary>
internal sealed partial class DaemonProcess : IDisposable
{
    public const int SigHup = 1, SigTerm = 15;

    private readonly StringBuilder _stderr = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private DaemonProcess(Process p, int metricsPort)
    {
        Process = p;
        MetricsPort = metricsPort;
    }

    private string? _stateDir;

    public Process Process { get; }
    public int MetricsPort { get; }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public static DaemonProcess Start(int metricsPort, params string[] args) => Start(metricsPort, null, args);

    /// <summary>As <see cref="Start(int, string[])"/>, with extra environment variables (e.g. systemd's NOTIFY_SOCKET).</summary>
    public static DaemonProcess Start(int metricsPort, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        StartWith(null, metricsPort, environment, args);

    /// <summary>As <see cref="Start(int, IReadOnlyDictionary{string, string}?, string[])"/> with another binary (the Native AOT one); null: the built mcp-egress.dll.</summary>
    public static DaemonProcess StartWith(string? executable, int metricsPort, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "mcp-egress.dll");
        if (executable is null) Assert.True(File.Exists(dll), "mcp-egress.dll not built next to the tests: " + dll);
        var psi = new ProcessStartInfo(executable ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        if (executable is null) psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("watch");
        psi.ArgumentList.Add("--metrics-listen");
        psi.ArgumentList.Add($"127.0.0.1:{metricsPort}");
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Each daemon gets its own state file, never the machine's /var/lib/mcp-egress/state.db (watch's default).
        string? stateDir = null;
        if (!args.Contains("--state"))
        {
            stateDir = Directory.CreateTempSubdirectory("mcp-egress-daemon-state").FullName;
            psi.ArgumentList.Add("--state");
            psi.ArgumentList.Add(Path.Combine(stateDir, "state.db"));
        }
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var p = Process.Start(psi)!;
        var d = new DaemonProcess(p, metricsPort) { _stateDir = stateDir };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (d._stderr) d._stderr.AppendLine(e.Data); };
        p.OutputDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        return d;
    }

    /// <summary>Waits for /healthz 200 (fails with the daemon's stderr when it exits or 30 s pass).</summary>
    public async Task WaitHealthyAsync()
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (Process.HasExited) Assert.Fail($"daemon exited ({Process.ExitCode}):\n{Stderr}");
            if (await HealthStatusAsync() == 200) return;
            await Task.Delay(200);
        }
        Assert.Fail("daemon not healthy within 30 s:\n" + Stderr);
    }

    public async Task<int> HealthStatusAsync()
    {
        try { return (int)(await _http.GetAsync($"http://127.0.0.1:{MetricsPort}/healthz")).StatusCode; }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return 0; }
    }

    public Task<string> ScrapeAsync() => _http.GetStringAsync($"http://127.0.0.1:{MetricsPort}/metrics");

    /// <summary>Value of one exposition line (<c>name{labels}</c> exactly as written), or null.</summary>
    public static double? Sample(string exposition, string series)
    {
        foreach (var line in exposition.Split('\n'))
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
                return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return null;
    }

    /// <summary>Sum of the exposition lines whose series starts with <paramref name="prefix"/> (e.g. a metric with some labels fixed and the rest free).</summary>
    public static double SumSamples(string exposition, string prefix)
    {
        double sum = 0;
        foreach (var line in exposition.Split('\n'))
            if (line.StartsWith(prefix, StringComparison.Ordinal) && line.LastIndexOf(' ') is var sp and > 0)
                sum += double.Parse(line[(sp + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return sum;
    }

    /// <summary>Polls /metrics until the series starting with <paramref name="prefix"/> sum to <paramref name="atLeast"/>.</summary>
    public async Task<string> WaitForSumAsync(string prefix, double atLeast, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        string last = "";
        while (sw.Elapsed < timeout)
        {
            if (Process.HasExited) Assert.Fail($"daemon exited ({Process.ExitCode}):\n{Stderr}");
            last = await ScrapeAsync();
            if (SumSamples(last, prefix) >= atLeast) return last;
            await Task.Delay(200);
        }
        Assert.Fail($"{prefix}... did not reach {atLeast} within {timeout.TotalSeconds} s (now {SumSamples(last, prefix)}).\nstderr:\n{Stderr}");
        return last;
    }

    /// <summary>Polls /metrics until <paramref name="series"/> reaches <paramref name="atLeast"/>; returns the last scrape.</summary>
    public async Task<string> WaitForSampleAsync(string series, double atLeast, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        string last = "";
        while (sw.Elapsed < timeout)
        {
            if (Process.HasExited) Assert.Fail($"daemon exited ({Process.ExitCode}):\n{Stderr}");
            last = await ScrapeAsync();
            if (Sample(last, series) >= atLeast) return last;
            await Task.Delay(200);
        }
        Assert.Fail($"{series} did not reach {atLeast} within {timeout.TotalSeconds} s (now {Sample(last, series)}).\nstderr:\n{Stderr}");
        return last;
    }

    public void Signal(int signal) => Assert.Equal(0, Kill(Process.Id, signal));

    public int WaitForExit(TimeSpan timeout)
    {
        if (!Process.WaitForExit(timeout)) Assert.Fail($"daemon did not exit within {timeout.TotalSeconds} s:\n{Stderr}");
        Process.WaitForExit(); // flush async stderr
        return Process.ExitCode;
    }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public void Dispose()
    {
        try { if (!Process.HasExited) { Process.Kill(entireProcessTree: true); Process.WaitForExit(10_000); } }
        catch (InvalidOperationException) { }
        Process.Dispose();
        _http.Dispose();
        try { if (_stateDir is not null) Directory.Delete(_stateDir, recursive: true); }
        catch (IOException) { }
    }
}
