using System.Globalization;
using McpEgress.Benchmarks.Generator;

namespace McpEgress.Benchmarks;

/// <summary>
/// Issue 15 item 5: peak RSS must not grow with the capture. Writes a small and a large bulk agent capture (unkeyed
/// TLS uploads with mail between them) into a temporary folder, replays each with the Release CLI as a child process
/// (key log given, events to /dev/null) and prints the peak RSS of each, their ratio, and whether both stay within the
/// 200 MB budget and within ±10% of each other. The files are deleted afterwards (also on failure).
/// </summary>
internal static class MemoryFlatBenchmark
{
    public const double BudgetMb = 200;
    public const double Tolerance = 0.10;

    public static int Run(double largeGb, double smallMb, string? dir, string? cli, string captures)
    {
        cli ??= ReplayBenchmark.DefaultCli();
        dir ??= Path.GetTempPath();
        long needed = (long)((largeGb * 1e9 + smallMb * 1e6) * 1.05);
        long free = new DriveInfo(Path.GetFullPath(dir)).AvailableFreeSpace;
        if (free < needed + (2L << 30))
        {
            Console.Error.WriteLine($"memory-flat: {dir} has {free / 1e9:F1} GB free; {needed / 1e9:F1} GB (+2 GB margin) needed");
            return 1;
        }
        string work = Path.Combine(dir, $"mcp-egress-memory-flat-{Environment.ProcessId}-{Environment.TickCount64}");
        Directory.CreateDirectory(work);
        try
        {
            var small = Measure(Path.Combine(work, "bulk-small.pcap"), smallMb, cli, captures);
            var large = Measure(Path.Combine(work, "bulk-large.pcap"), largeGb * 1000, cli, captures);
            if (small is null || large is null) return 1;
            double ratio = (double)large.PeakRssBytes / small.PeakRssBytes;
            bool budget = small.PeakRssBytes / 1e6 <= BudgetMb && large.PeakRssBytes / 1e6 <= BudgetMb;
            bool flat = Math.Abs(ratio - 1) <= Tolerance;
            Console.WriteLine(FormattableString.Invariant(
                $"peak RSS {small.PeakRssBytes / 1e6:F0} MB ({smallMb:F0} MB capture) vs {large.PeakRssBytes / 1e6:F0} MB ({largeGb:F1} GB capture): ratio {ratio:F2}; ") +
                $"budget {BudgetMb:F0} MB {(budget ? "OK" : "EXCEEDED")}, flat within {Tolerance:P0} {(flat ? "OK" : "NOT FLAT")}");
            Console.WriteLine(FormattableString.Invariant($"summary\tmemory-flat\t{small.PeakRssBytes / 1e6:F0}\t{large.PeakRssBytes / 1e6:F0}\t{ratio:F3}\t{(budget && flat ? "OK" : "FAIL")}"));
            return budget && flat ? 0 : 2;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static ChildRun? Measure(string pcap, double mb, string cli, string captures)
    {
        var c = AgentCapture.Write(pcap, CaptureShape.Bulk, (long)(mb * 1e6), captures, seed: 1);
        var run = ChildRun.Start(cli, ["replay", pcap, "--keylog", AgentCapture.KeylogPathFor(pcap), "--output", "/dev/null", "--no-progress"]);
        File.Delete(pcap); // the large one should not sit on the disk while the next is written
        if (run.ExitCode != 0)
        {
            Console.WriteLine($"mcp-egress exited {run.ExitCode} on {pcap}:\n{run.Stderr}");
            return null;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{c.Bytes / 1e6:F0} MB bulk capture ({c.Packets} packets, {c.Flows} flows, {c.Messages} messages): {run.Wall.TotalSeconds:F2} s ({run.CpuSeconds:F2} s CPU), peak RSS {run.PeakRssBytes / 1e6:F0} MB ({run.RssSource})"));
        return run;
    }
}
