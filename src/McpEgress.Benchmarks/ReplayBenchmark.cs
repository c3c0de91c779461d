using System.Diagnostics;
using McpEgress.Detection;
using McpEgress.Export;
using McpEgress.Pipeline;

namespace McpEgress.Benchmarks;

/// <summary>
/// Whole-program replay of one capture through every stage (events written to a null stream so export is
/// included), then, optionally, tshark dissecting SMTP/IMF on the same file, with both figures side by side.
/// </summary>
internal static class ReplayBenchmark
{
    public static int Run(string path, bool withTshark, string? keylog = null)
    {
        long size = new FileInfo(path).Length;
        var config = McpEgressConfig.Default;
        using var writer = new EcsEventWriter(Stream.Null);
        var limits = new PipelineOptions();
        var pipeline = new MonitorPipeline(limits, new DetectionEngine(config.Detection), new EcsPipelineOutput(writer));
        if (keylog is not null) pipeline.KeyLog.LoadFile(keylog);
        var replay = new CaptureReplay(pipeline, limits.Capture);
        long allocBefore = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        var err = replay.ReplayFile(path, null);
        pipeline.Finish();
        sw.Stop();
        long alloc = GC.GetTotalAllocatedBytes(precise: true) - allocBefore;
        var proc = Process.GetCurrentProcess();
        proc.Refresh();
        double s = sw.Elapsed.TotalSeconds;
        var st = pipeline.Stats;
        Console.WriteLine($"mcp-egress replay: {size / 1e6:F0} MB, {st.Packets} packets in {s:F2} s = {size / 1e6 / s:F0} MB/s, {st.Packets / s / 1e3:F0} kpackets/s");
        if (keylog is not null)
            Console.WriteLine($"  tls sessions decrypted {st.TlsDecrypted}, opaque {st.TlsOpaque}, http requests {pipeline.Router.HttpRequests}");
        Console.WriteLine($"  messages {st.Messages}, alerts {st.Alerts}, anomalies {pipeline.Anomalies.Total} ({string.Join(", ", pipeline.Anomalies.Snapshot().Select(a => $"{a.Key.Stage}/{a.Key.Name}={a.Value}"))}), allocated {alloc / 1e6:F0} MB ({(double)alloc / st.Packets:F1} B/packet), peak working set {proc.PeakWorkingSet64 / 1e6:F0} MB");
        if (err is not null) Console.WriteLine($"  error: {err}");
        if (File.Exists(path + ".expected"))
        {
            var parts = File.ReadAllText(path + ".expected").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Console.WriteLine($"  expected messages {parts[0]}, expected alerts {parts[1].Trim()}: {(st.Messages.ToString() == parts[0] && st.Alerts.ToString() == parts[1].Trim() ? "match" : "MISMATCH")}");
        }
        if (withTshark)
        {
            if (keylog is null) RunTshark(path, size);
            else RunTsharkDecrypt(path, keylog, size);
        }
        return err is null ? 0 : 1;
    }

    /// <summary>tshark decrypting the same capture and dissecting the HTTP requests inside (its reassembly of the bodies included).</summary>
    private static void RunTsharkDecrypt(string path, string keylog, long size) =>
        RunTshark(size, "tshark -r -o tls.keylog_file (decrypt + HTTP)", "requests",
            ["-r", path, "-o", "tls.keylog_file:" + keylog, "-Y", "http.request", "-T", "fields",
             "-e", "http.request.method", "-e", "http.request.uri", "-e", "http.content_length"]);

    /// <summary>tshark dissecting SMTP and IMF with the fields a recipient check needs.</summary>
    private static void RunTshark(string path, long size) =>
        RunTshark(size, "tshark -r (SMTP/IMF fields)", "output lines",
            ["-r", path, "-Y", "smtp.req.command == \"RCPT\" || imf", "-T", "fields",
             "-e", "smtp.req.parameter", "-e", "imf.from", "-e", "imf.to", "-e", "imf.cc"]);

    private static void RunTshark(long size, string label, string unit, string[] args)
    {
        var psi = new ProcessStartInfo("tshark", args) { RedirectStandardOutput = true, RedirectStandardError = true };
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        long lines = 0;
        while (p.StandardOutput.ReadLine() is not null) lines++;
        p.WaitForExit();
        sw.Stop();
        double s = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"{label}: {s:F2} s = {size / 1e6 / s:F0} MB/s, {lines} {unit}, exit {p.ExitCode}");
    }
}
