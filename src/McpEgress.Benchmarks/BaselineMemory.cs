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
        Console.WriteLine($"{messages:N0} distinct hidden recipients, {alerts:N0} alerts, {messages / sw.Elapsed.TotalSeconds:F0} msg/s");
        if (state is not null)
        {
            state.Dispose();
            Console.WriteLine($"state file {stateFile}: {FileBytes(stateFile!) / 1e6:F1} MB, {state.Writes:N0} rows written, {state.DroppedWrites:N0} writes dropped");
        }
        return 0;
    }

    private static long FileBytes(string path) =>
        new[] { path, path + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
}
