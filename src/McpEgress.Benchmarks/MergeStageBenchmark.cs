using System.Diagnostics;
using System.Globalization;
using McpEgress.Config;
using McpEgress.Detection;
using McpEgress.Export;
using McpEgress.Mail;
using McpEgress.Pipeline;
using McpEgress.Protocols.Routing;

namespace McpEgress.Benchmarks;

/// <summary>
/// The merge thread's work alone (detection → ECS output), the serial stage of a replay with several workers: the
/// capture is replayed once to collect its events in order, then they are fed again and again through a fresh
/// <see cref="DetectionStage"/> writing ECS lines to OUT (or a null stream): CPU time of this thread and bytes allocated per run.
/// </summary>
internal static class MergeStageBenchmark
{
    private sealed class Recorder : IEventOutput
    {
        public readonly List<object> Events = [];
        public void OnMessage(MailMessage message, IReadOnlyList<Alert> alerts) => Events.Add(message);
        public void OnDeferredAlerts(IReadOnlyList<Alert> alerts) { }
        public void OnTlsSession(TlsSessionRecord record) => Events.Add(record);
        public void OnMailApiUnreadable(MailApiUnreadableRecord record) => Events.Add(record);
        public void OnFlowSummary(FlowSummaryRecord record) => Events.Add(record);
    }

    public static int Run(string path, string? keylog, int runs, string? output)
    {
        var config = McpEgressConfig.Default;
        var limits = new PipelineOptions();
        var recorder = new Recorder();
        using (var pipeline = new MonitorPipeline(limits, new DetectionEngine(config.Detection), recorder))
        {
            if (keylog is not null) pipeline.KeyLog.LoadFile(keylog);
            var err = new CaptureReplay(pipeline, limits.Capture).ReplayFile(path, null);
            pipeline.Finish();
            if (err is not null) { Console.Error.WriteLine(err); return 1; }
        }
        Console.WriteLine($"{recorder.Events.Count} events ({recorder.Events.Count(e => e is MailMessage)} messages)");
        GC.KeepAlive(new Guid[20_000]); // marks where the runs start in an allocation trace (a Guid[] nothing else allocates)
        // The writer alone: the same events with the alerts detection gives them, written again and again.
        var judged = new List<(object Event, IReadOnlyList<Alert> Alerts)>(recorder.Events.Count);
        var engine = new DetectionEngine(config.Detection);
        foreach (var e in recorder.Events)
            judged.Add((e, e is MailMessage mm ? engine.Evaluate(mm) : []));
        long bestCpu = long.MaxValue, bestWriterCpu = long.MaxValue, alloc = 0, writerAlloc = 0, events = 0;
        for (int r = 0; r < runs; r++)
        {
            using (var stream = output is null ? Stream.Null : new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16))
            using (var writer = new EcsEventWriter(stream, new EcsWriterOptions { LeaveOpen = true }))
            {
                var stage = new DetectionStage(new DetectionEngine(config.Detection), new EcsPipelineOutput(writer), new PipelineStats());
                long cpu0 = ThreadCpuNs();
                long alloc0 = GC.GetAllocatedBytesForCurrentThread();
                var sw = Stopwatch.StartNew();
                foreach (var e in recorder.Events)
                {
                    switch (e)
                    {
                        case MailMessage m: stage.OnMessage(m); break;
                        case TlsSessionRecord t: stage.OnTlsSession(t); break;
                        case MailApiUnreadableRecord u: stage.OnMailApiUnreadable(u); break;
                        case FlowSummaryRecord f: stage.OnFlowSummary(f); break;
                    }
                }
                writer.Flush();
                long cpu = ThreadCpuNs() - cpu0;
                alloc = GC.GetAllocatedBytesForCurrentThread() - alloc0;
                events = writer.EventsWritten;
                bestCpu = Math.Min(bestCpu, cpu);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"run {r + 1}: cpu {cpu / 1e6:F0} ms, wall {sw.Elapsed.TotalMilliseconds:F0} ms, allocated {alloc / 1e6:F1} MB, {stage.Stats.Messages} messages, {stage.Stats.Alerts} alerts, {writer.EventsWritten} events"));
            }
            using (var writer = new EcsEventWriter(Stream.Null))
            {
                var ecs = new EcsPipelineOutput(writer);
                long cpu0 = ThreadCpuNs();
                long alloc0 = GC.GetAllocatedBytesForCurrentThread();
                foreach (var (e, alerts) in judged)
                {
                    switch (e)
                    {
                        case MailMessage m: ecs.OnMessage(m, alerts); break;
                        case TlsSessionRecord t: ecs.OnTlsSession(t); break;
                        case MailApiUnreadableRecord u: ecs.OnMailApiUnreadable(u); break;
                    }
                }
                writer.Flush();
                long cpu = ThreadCpuNs() - cpu0;
                writerAlloc = GC.GetAllocatedBytesForCurrentThread() - alloc0;
                bestWriterCpu = Math.Min(bestWriterCpu, cpu);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"       writer alone (to a null stream): cpu {cpu / 1e6:F0} ms, allocated {writerAlloc / 1e6:F2} MB"));
            }
        }
        // Detection alone, rule by rule (each over every message in order, with a fresh engine's memory).
        var byRule = new DetectionEngine(config.Detection);
        var scratch = new List<Alert>();
        foreach (var rule in byRule.Rules)
        {
            long cpu0 = ThreadCpuNs();
            long alloc0 = GC.GetAllocatedBytesForCurrentThread();
            int found = 0;
            foreach (var e in recorder.Events)
            {
                if (e is not MailMessage m) continue;
                scratch.Clear();
                rule.Evaluate(m, scratch);
                found += scratch.Count;
            }
            long cpu = ThreadCpuNs() - cpu0;
            long bytes = GC.GetAllocatedBytesForCurrentThread() - alloc0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rule {rule.Id}: cpu {cpu / 1e6:F0} ms, allocated {bytes / 1e6:F2} MB, {found} findings"));
        }
        if (events > 0)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"best of {runs}: {bestCpu / 1e3 / events:F2} us CPU and {(double)alloc / events:F0} B allocated per event; writer alone {bestWriterCpu / 1e3 / events:F2} us and {(double)writerAlloc / events:F0} B per event"));
        return 0;
    }

    /// <summary>CPU time of the calling thread (Linux: /proc/thread-self/schedstat), 0 elsewhere.</summary>
    private static long ThreadCpuNs()
    {
        try
        {
            var text = File.ReadAllText("/proc/thread-self/schedstat");
            return long.Parse(text.AsSpan(0, text.IndexOf(' ')), CultureInfo.InvariantCulture);
        }
        catch (IOException) { return 0; }
    }
}
