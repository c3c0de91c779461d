using System.Diagnostics;
using McpEgress.Detection;
using McpEgress.Mail;

namespace McpEgress.Benchmarks;

/// <summary>
/// The baselines stay bounded: N messages (default 1M), each from a new package version and with a distinct hidden
/// recipient in a distinct domain and a distinct visible domain, through the default detection engine (all rules,
/// in-memory store). Prints the store's entry count, evictions and the process RSS every 10% of the way. With a state
/// file (<c>baselines N FILE</c>) the store is written behind to it as in <c>watch</c>; the file's size and the writes
/// dropped by the bounded queue are printed too.
/// </summary>
internal static class BaselineMemory
{
    public static int Run(int messages, string? stateFile = null)
    {
        using var state = stateFile is null ? null : McpEgress.State.StateDatabase.TryOpen(stateFile, null, Console.Error.WriteLine);
        var engine = new DetectionEngine(DetectionPolicy.Default, McpEgress.State.BaselinePersistence.Open(state));
        long t0 = 1_758_794_472_000_000_000, alerts = 0;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < messages; i++)
        {
            var m = new MailMessage
            {
                Transport = MailTransport.Http, Provider = "postmark", TimestampNs = t0 + i * 1_000_000L,
                From = [new MailAddress("alice@example.com")], To = [new MailAddress($"c{i}@customer{i}.example")],
                Bcc = [new MailAddress($"sink{i}@collector{i}.example")],
                Process = new ProcessFacts { Package = $"pkg{i % 50_000}", PackageVersion = $"1.0.{i / 50_000}" },
            };
            alerts += engine.Evaluate(m).Count;
            if ((i + 1) % Math.Max(1, messages / 10) == 0)
            {
                GC.Collect();
                Console.WriteLine($"{i + 1,9:N0} messages  entries {engine.Baselines.Count,9:N0}  evicted {engine.Baselines.Evictions,10:N0}  " +
                                  $"RSS {Process.GetCurrentProcess().WorkingSet64 / 1e6,6:F0} MB  heap {GC.GetTotalMemory(false) / 1e6,6:F0} MB  {sw.Elapsed.TotalSeconds:F0} s" +
                                  (state is null ? "" : $"  state {FileBytes(stateFile!) / 1e6,6:F0} MB  written {state.Writes:N0} dropped {state.DroppedWrites:N0}"));
            }
        }
        Console.WriteLine($"{messages:N0} distinct hidden recipients, {alerts:N0} alerts, {messages / sw.Elapsed.TotalSeconds:F0} msg/s, " +
                          $"{sw.Elapsed.TotalSeconds:F0} s; entries {engine.Baselines.Count:N0} (bound {Bound:N0}); peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB");
        bool bounded = engine.Baselines.Count <= Bound;
        if (state is not null)
        {
            var closing = Stopwatch.StartNew();
            state.Dispose();
            Console.WriteLine($"state file {stateFile}: {FileBytes(stateFile!) / 1e6:F1} MB after close ({closing.Elapsed.TotalSeconds:F1} s to drain and close), " +
                              $"{state.Writes:N0} rows written, {state.DroppedWrites:N0} writes dropped");
            // Reopen as a restarted daemon would: the baselines load back, bounded like the live store.
            var reopen = Stopwatch.StartNew();
            using var again = McpEgress.State.StateDatabase.TryOpen(stateFile!, null, Console.Error.WriteLine);
            var loaded = McpEgress.State.BaselinePersistence.Open(again);
            Console.WriteLine($"reopened in {reopen.Elapsed.TotalSeconds:F1} s: {loaded.Count:N0} entries loaded; peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB");
            bounded &= loaded.Count <= Bound;
        }
        Console.WriteLine(bounded ? "bounded: yes" : "bounded: NO (entries above the store's bounds)");
        return bounded ? 0 : 1;
    }

    /// <summary>Entries the in-memory store may hold at most (<see cref="McpEgress.Detection.Baselines.IBaselineStore.Count"/> counts sinks, domains, sender-domain pairs and packages).</summary>
    private static long Bound
    {
        get
        {
            var l = new McpEgress.Detection.Baselines.BaselineLimits();
            return (long)l.MaxSinks + l.MaxHiddenDomains + l.MaxSenderDomains + l.MaxPackages;
        }
    }

    private static long FileBytes(string path) =>
        new[] { path, path + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
}
