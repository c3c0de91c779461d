using System.Diagnostics;
using BenchmarkDotNet.Running;
using McpEgress.Benchmarks;

// mcp-egress benchmarks.
//   generate PATH [MB] [MAILSHARE]  write a synthetic capture of at least MB megabytes (default 512); MAILSHARE 0..0.25 (default 0.1)
//   replay PATH [--tshark] [--keylog K]   whole-program replay: MB/s, packets/s, peak memory; optionally tshark on the same file
//   libraries PATH   our pcap reader vs SharpPcap's, the span decoder vs PacketDotNet, and the replay with each
//   micro [BenchmarkDotNet args]   the hot-path micro benchmarks with a memory diagnoser
switch (args.FirstOrDefault())
{
    case "generate":
    {
        string path = args.ElementAtOrDefault(1) ?? throw new ArgumentException("generate PATH [MB]");
        long mb = args.Length > 2 ? long.Parse(args[2]) : 512;
        var sw = Stopwatch.StartNew();
        double mailShare = args.Length > 3 ? double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 0.1;
        var g = SyntheticCapture.Write(path, mb << 20, mailShare);
        Console.WriteLine($"wrote {path}: {new FileInfo(path).Length / 1e6:F0} MB, {g.Packets} packets, {g.Messages} SMTP messages, {g.ExpectedAlerts} expected alerts ({sw.Elapsed.TotalSeconds:F1} s)");
        File.WriteAllText(path + ".expected", $"{g.Messages} {g.ExpectedAlerts}\n");
        return 0;
    }
    case "replay":
    {
        int k = Array.IndexOf(args, "--keylog");
        return ReplayBenchmark.Run(args.ElementAtOrDefault(1) ?? throw new ArgumentException("replay PATH"), args.Contains("--tshark"),
            k > 0 ? args.ElementAtOrDefault(k + 1) : null);
    }
    case "libraries":
        return LibraryBenchmark.Run(args.ElementAtOrDefault(1) ?? throw new ArgumentException("libraries PATH"));
    case "micro":
        BenchmarkSwitcher.FromAssembly(typeof(ReplayBenchmark).Assembly).Run(args.Skip(1).ToArray());
        return 0;
    default:
        Console.Error.WriteLine("usage: generate PATH [MB] | replay PATH [--tshark] | libraries PATH | micro [args]");
        return 1;
}
