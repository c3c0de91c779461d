using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using McpEgress.Benchmarks.Generator;
using McpEgress.Config;
using McpEgress.Detection;
using McpEgress.Export;
using McpEgress.Pipeline;

namespace McpEgress.Benchmarks;

/// <summary>
/// Whole-program replay figures: the real <c>mcp-egress replay</c> CLI (built in Release) run as a child process
/// on a capture, events to /dev/null, and optionally tshark decrypting and dissecting the same file in the same
/// run; wall time, MB/s, packets/s, messages/s and peak RSS of each, their ratio, and mcp-egress's counts checked
/// against the generator's <c>FILE.expected.json</c>. <c>--in-process</c> keeps the old in-process figure with
/// allocations.
/// </summary>
internal static partial class ReplayBenchmark
{
    public sealed record Options(string Path, string? Keylog, bool Tshark, string? Cli, int Runs, bool InProcess, int? Workers = null);

    public static int Run(Options o)
    {
        if (o.InProcess) return RunInProcess(o.Path, o.Keylog, o.Workers ?? 1);
        long size = new FileInfo(o.Path).Length;
        var expected = ExpectedCounts.TryLoad(o.Path);
        string? keylog = o.Keylog ?? (expected?.Keylog is { } k ? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(o.Path))!, k) : null);
        string cli = o.Cli ?? DefaultCli();
        Console.WriteLine($"capture {o.Path}: {size / 1e6:F1} MB{(keylog is null ? "" : ", key log " + keylog)}; mcp-egress = {cli}; best of {o.Runs}"
            + $"; workers {(o.Workers is { } w ? w.ToString(CultureInfo.InvariantCulture) : "default")}; {Environment.ProcessorCount} cores, {LoadAverage()}");

        var args = new List<string> { "replay", o.Path, "--output", "/dev/null", "--no-progress" };
        if (keylog is not null) args.AddRange(["--keylog", keylog]);
        if (o.Workers is { } workers) args.AddRange(["--workers", workers.ToString(CultureInfo.InvariantCulture)]);
        var mcp = Best(o.Runs, () => ChildRun.Start(cli, args));
        var summary = CliSummary.Parse(mcp.Stderr);
        if (mcp.ExitCode != 0 || summary is null)
        {
            Console.WriteLine($"mcp-egress exited {mcp.ExitCode}:\n{mcp.Stderr}");
            return 1;
        }
        long messages = expected?.Messages ?? summary.Messages;
        Print("mcp-egress replay", mcp, size, summary.Packets, messages);
        Console.WriteLine($"  {summary.Packets} packets, {summary.Flows} tcp flows, {summary.Messages} messages, {summary.Alerts} alerts, {summary.TlsDecrypted} tls decrypted, {summary.TlsOpaque} opaque");
        string check = "no expected file";
        if (expected is not null)
        {
            var diffs = new List<string>();
            void Cmp(string what, long want, long got) { if (want != got) diffs.Add($"{what} expected {want}, got {got}"); }
            Cmp("messages", expected.Messages, summary.Messages);
            // The generator's expected alerts are those of the stateless rules; the baseline rules (hidden-sink,
            // new-hidden-domain, behaviour-change) add alerts that depend on the messages before them.
            Cmp("alerts", expected.Alerts, summary.StatelessAlerts);
            Cmp("packets", expected.Packets, summary.Packets);
            Cmp("flows", expected.Flows, summary.Flows);
            Cmp("tls decrypted", expected.KeyedTlsFlows, summary.TlsDecrypted);
            Cmp("tls opaque", expected.UnkeyedTlsFlows, summary.TlsOpaque);
            check = diffs.Count == 0 ? "OK" : "MISMATCH";
            Console.WriteLine($"  expected (messages {expected.Messages}: smtp {expected.SmtpMessages}, api {expected.ApiMessages}; alerts {expected.Alerts}; packets {expected.Packets}; flows {expected.Flows}): {check}{(diffs.Count == 0 ? "" : " (" + string.Join("; ", diffs) + ")")}");
        }
        Console.WriteLine(FormattableString.Invariant($"summary\tmcp-egress\t{mcp.Wall.TotalSeconds:F3}\t{size / 1e6 / mcp.Wall.TotalSeconds:F1}\t{summary.Packets / mcp.Wall.TotalSeconds:F0}\t{messages / mcp.Wall.TotalSeconds:F0}\t{mcp.PeakRssBytes / 1e6:F0}\t{check}\t{mcp.CpuSeconds:F2}"));

        if (o.Tshark)
        {
            // Exactly the tshark command of the issue: SMTP RCPT parameters and decrypted HTTP request bodies.
            var targs = new List<string> { "-r", o.Path };
            if (keylog is not null) targs.AddRange(["-o", "tls.keylog_file:" + keylog]);
            targs.AddRange(["-Y", "smtp.req.command==\"RCPT\" or http.request", "-T", "fields", "-e", "smtp.req.parameter", "-e", "http.file_data"]);
            var ts = Best(o.Runs, () => ChildRun.Start("tshark", targs));
            Print("tshark", ts, size, summary.Packets, messages);
            string tsCheck = expected is null ? "" : $"; expected {expected.SmtpMessages + expected.ApiRequests} (SMTP transactions + API requests): {(ts.StdoutLines == expected.SmtpMessages + expected.ApiRequests ? "OK" : "MISMATCH")}";
            Console.WriteLine($"  {ts.StdoutLines} output lines (RCPT commands + HTTP requests), exit {ts.ExitCode}{tsCheck}");
            Console.WriteLine($"  tshark / mcp-egress: wall time {ts.Wall.TotalSeconds / mcp.Wall.TotalSeconds:F1}x, CPU time {ts.CpuSeconds / mcp.CpuSeconds:F1}x");
            Console.WriteLine(FormattableString.Invariant($"summary\ttshark\t{ts.Wall.TotalSeconds:F3}\t{size / 1e6 / ts.Wall.TotalSeconds:F1}\t{summary.Packets / ts.Wall.TotalSeconds:F0}\t{messages / ts.Wall.TotalSeconds:F0}\t{ts.PeakRssBytes / 1e6:F0}\t-\t{ts.CpuSeconds:F2}"));
        }
        Console.WriteLine($"after the runs: {LoadAverage()}");
        return check == "MISMATCH" ? 2 : 0;
    }

    /// <summary>"load average 1.02 0.87 0.55" (the machine is shared: figures taken under load say so).</summary>
    private static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"load average {parts[0]} {parts[1]} {parts[2]}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "load average unknown"; }
    }

    /// <summary>The run with the shortest wall time, and the CPU time of the run that used least (noted when runs > 1).</summary>
    private static ChildRun Best(int runs, Func<ChildRun> run)
    {
        var all = Enumerable.Range(0, Math.Max(1, runs)).Select(_ => run()).ToList();
        var best = all.MinBy(r => r.Wall)!;
        if (all.Count > 1)
            Console.WriteLine($"  runs: {string.Join(", ", all.Select(r => $"{r.Wall.TotalSeconds:F2} s ({r.CpuSeconds:F2} s CPU)"))}");
        return best with { CpuSeconds = all.Min(r => r.CpuSeconds) };
    }

    private static void Print(string label, ChildRun r, long size, long packets, long messages)
    {
        double s = r.Wall.TotalSeconds;
        Console.WriteLine($"{label}: {s:F2} s ({r.CpuSeconds:F2} s CPU), {size / 1e6 / s:F1} MB/s, {packets / s / 1e3:F0} kpackets/s, {messages / s:F0} messages/s, peak RSS {r.PeakRssBytes / 1e6:F0} MB ({r.RssSource})");
    }

    /// <summary>
    /// The shipped binary if it was published (Native AOT, artifacts/aot/mcp-egress: `dotnet publish src/McpEgress.Cli
    /// -c Release -r linux-x64 -o artifacts/aot`), else the Release JIT build (src/McpEgress.Cli/bin/Release/net10.0).
    /// </summary>
    internal static string DefaultCli()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string aot = System.IO.Path.Combine(d.FullName, "artifacts", "aot", "mcp-egress");
            if (File.Exists(aot)) return aot;
            string p = System.IO.Path.Combine(d.FullName, "src", "McpEgress.Cli", "bin", "Release", "net10.0", "mcp-egress");
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException("no Release mcp-egress CLI found: dotnet publish src/McpEgress.Cli -c Release -r linux-x64 -o artifacts/aot (or dotnet build -c Release src/McpEgress.Cli), or pass --cli PATH");
    }

    /// <summary>The counts of the summary <c>mcp-egress replay</c> prints on stderr (src/McpEgress.Cli/ReplaySummary.cs).</summary>
    private sealed partial record CliSummary(long Packets, long Flows, long Messages, long Alerts, long TlsDecrypted, long TlsOpaque,
        long StatelessAlerts)
    {
        /// <summary>The rules whose alerts follow from each message alone: what the generator's expected file counts.</summary>
        private static readonly string[] StatelessRules = [DeniedDomainRule.RuleId, HiddenRecipientRule.RuleId, LimitExceededRule.RuleId];

        public static CliSummary? Parse(string stderr)
        {
            var p = PacketsLine().Match(stderr);
            var f = FlowsLine().Match(stderr);
            var m = MessagesLine().Match(stderr);
            if (!p.Success || !f.Success || !m.Success) return null;
            static long L(Group g) => long.Parse(g.Value, CultureInfo.InvariantCulture);
            long stateless = 0;
            foreach (Match r in RuleCount().Matches(ByRuleLine().Match(stderr).Value))
                if (StatelessRules.Contains(r.Groups[1].Value)) stateless += L(r.Groups[2]);
            return new(L(p.Groups[1]), L(f.Groups[1]), L(m.Groups[1]), L(m.Groups[2]), L(f.Groups[2]), L(f.Groups[3]), stateless);
        }

        [GeneratedRegex(@"replayed \d+ file\(s\): (\d+) packets")] private static partial Regex PacketsLine();
        [GeneratedRegex(@"tcp flows: (\d+);.*?\((\d+) decrypted, (\d+) opaque\)")] private static partial Regex FlowsLine();
        [GeneratedRegex(@"messages: (\d+); alerts: (\d+)")] private static partial Regex MessagesLine();
        [GeneratedRegex(@"alerts by rule: [^\n]*")] private static partial Regex ByRuleLine();
        [GeneratedRegex(@"([a-z-]+) (\d+)")] private static partial Regex RuleCount();
    }

    /// <summary>The whole pipeline in this process (events to a null stream), with allocations.</summary>
    private static int RunInProcess(string path, string? keylog, int workers)
    {
        long size = new FileInfo(path).Length;
        var config = McpEgressConfig.Default;
        using var writer = new EcsEventWriter(Stream.Null);
        var limits = new PipelineOptions();
        using var pipeline = new MonitorPipeline(limits, new DetectionEngine(config.Detection), new EcsPipelineOutput(writer), workers: workers);
        if (keylog is not null) pipeline.KeyLog.LoadFile(keylog);
        var replay = new CaptureReplay(pipeline, limits.Capture);
        long allocBefore = GC.GetTotalAllocatedBytes(precise: true);
        int gen0Before = GC.CollectionCount(0);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var err = replay.ReplayFile(path, null);
        pipeline.Finish();
        sw.Stop();
        long alloc = GC.GetTotalAllocatedBytes(precise: true) - allocBefore;
        var proc = Process.GetCurrentProcess();
        proc.Refresh();
        double s = sw.Elapsed.TotalSeconds;
        var st = pipeline.Stats;
        Console.WriteLine($"in-process replay: {size / 1e6:F0} MB, {st.Packets} packets in {s:F2} s = {size / 1e6 / s:F0} MB/s, {st.Packets / s / 1e3:F0} kpackets/s");
        Console.WriteLine($"  messages {st.Messages}, alerts {st.Alerts}, allocated {alloc / 1e6:F0} MB ({(double)alloc / st.Packets:F1} B/packet, {(double)alloc / Math.Max(1, st.Messages):F0} B/message), " +
            $"{GC.CollectionCount(0) - gen0Before} gen0 GCs, {(proc.TotalProcessorTime - cpuBefore).TotalSeconds:F2} CPU-s, peak working set {proc.PeakWorkingSet64 / 1e6:F0} MB");
        if (err is not null) Console.WriteLine($"  error: {err}");
        return err is null ? 0 : 1;
    }
}
