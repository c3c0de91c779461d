using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using McpEgress.Benchmarks;
using McpEgress.Benchmarks.Generator;

// mcp-egress benchmarks (README.md beside this file).
//   agent-capture bulk|mail-heavy PATH [MB] [--captures DIR] [--seed N]
//                                   an agent-host capture of about MB megabytes (default 300), PATH.expected.json and
//                                   the key log PATH-without-.pcap.keys beside it
//   generate PATH [MB] [MAILSHARE]  the older plain-SMTP-in-bulk-HTTP capture (default 512 MB, MAILSHARE 0.1)
//   replay PATH [--keylog K] [--tshark] [--cli PATH] [--runs N] [--in-process] [--workers N]
//                                   the Release mcp-egress CLI (or --cli) on PATH as a child process, optionally tshark
//                                   on the same file; wall time, MB/s, packets/s, messages/s, peak RSS, expected counts;
//                                   --workers N: mcp-egress's packet workers (default: its own, the number of cores)
//   memory-flat [GB] [--small MB] [--dir DIR] [--cli PATH]
//                                   bulk captures of MB (default 300) and GB (default 3) written to DIR (default the temp
//                                   folder), each replayed by the CLI as a child process: peak RSS of both, their ratio,
//                                   within 200 MB and ±10%? Deletes the captures
//   flow-flood PATH [FLOWS]         idle SMTP flows (default 1M): replay it under /usr/bin/time to see what a tracked flow costs
//   baselines [MESSAGES [STATE]]    RSS of the detection baselines under MESSAGES distinct hidden recipients (default 1M), the
//                                   state file's size when STATE is given, the reopen: bounded (exit 1 if not)
//   smtp-idle [SESSIONS]            bytes held per idle SmtpSession (banner + EHLO, default 10000), in process
//   libraries PATH                  our pcap reader vs SharpPcap's, the span decoder vs PacketDotNet, and the replay with each
//   tls-cost [SUITE]                TLS key set-up µs per connection and record decrypt MB/s, with the library alternatives
//   msgpath [MESSAGES]              the shard worker's message path alone (SMTP transaction, Postmark calls) through the
//                                   protocol router: µs and bytes allocated per message
//   merge-stage PATH [--keylog K] [--runs N] [--output OUT]
//                                   the merge thread's work alone: PATH's events collected once, then N times through a
//                                   fresh detection stage and ECS writer (to OUT or a null stream); CPU ms and MB allocated
//   micro [BenchmarkDotNet args]    the hot-path micro benchmarks with a memory diagnoser
string? Opt(string name) => Array.IndexOf(args, name) is var i and > 0 ? args.ElementAtOrDefault(i + 1) : null;
switch (args.FirstOrDefault())
{
    case "flow-flood":
    {
        string path = args.ElementAtOrDefault(1) ?? throw new ArgumentException("flow-flood PATH [FLOWS]");
        int flows = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000;
        var (packets, bytes) = FlowFlood.Write(path, flows);
        Console.WriteLine($"wrote {path}: {flows} idle SMTP flows (SYN, SYN/ACK, ACK, banner, EHLO), {packets} packets, {bytes / 1e6:F0} MB");
        return 0;
    }
    case "baselines":
        return BaselineMemory.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000, args.ElementAtOrDefault(2));
    case "smtp-idle":
        return SmtpIdleMemory.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000);
    case "agent-capture":
    {
        var shape = args.ElementAtOrDefault(1) switch
        {
            "bulk" => CaptureShape.Bulk,
            "mail-heavy" => CaptureShape.MailHeavy,
            _ => throw new ArgumentException("agent-capture bulk|mail-heavy PATH [MB]"),
        };
        string path = args.ElementAtOrDefault(2) ?? throw new ArgumentException("agent-capture SHAPE PATH [MB]");
        double mb = args.Length > 3 && !args[3].StartsWith("--", StringComparison.Ordinal) ? double.Parse(args[3], CultureInfo.InvariantCulture) : 300;
        string captures = Opt("--captures") ?? FindCaptures();
        var sw = Stopwatch.StartNew();
        var c = AgentCapture.Write(path, shape, (long)(mb * 1e6), captures, int.Parse(Opt("--seed") ?? "1", CultureInfo.InvariantCulture));
        Console.WriteLine($"wrote {path}: {c.Bytes / 1e6:F1} MB ({100.0 * c.BulkBytes / Math.Max(1, c.BulkBytes + c.MailBytes):F1}% unkeyed TLS), {c.Packets} packets, {c.Flows} flows, " +
            $"{c.Messages} messages ({c.SmtpMessages} SMTP, {c.ApiMessages} API), {c.Alerts} alerts ({sw.Elapsed.TotalSeconds:F1} s, {c.Bytes / 1e6 / sw.Elapsed.TotalSeconds:F0} MB/s)");
        return 0;
    }
    case "generate":
    {
        string path = args.ElementAtOrDefault(1) ?? throw new ArgumentException("generate PATH [MB]");
        long mb = args.Length > 2 ? long.Parse(args[2], CultureInfo.InvariantCulture) : 512;
        var sw = Stopwatch.StartNew();
        double mailShare = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 0.1;
        var g = SyntheticCapture.Write(path, mb << 20, mailShare);
        Console.WriteLine($"wrote {path}: {new FileInfo(path).Length / 1e6:F0} MB, {g.Packets} packets, {g.Messages} SMTP messages, {g.ExpectedAlerts} expected alerts ({sw.Elapsed.TotalSeconds:F1} s)");
        new ExpectedCounts
        {
            Shape = "smtp-in-http", Bytes = new FileInfo(path).Length, Packets = g.Packets, Flows = g.Flows,
            Messages = g.Messages, SmtpMessages = g.Messages, Alerts = g.ExpectedAlerts,
        }.Save(path);
        return 0;
    }
    case "memory-flat":
        return MemoryFlatBenchmark.Run(
            args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3,
            double.Parse(Opt("--small") ?? "300", CultureInfo.InvariantCulture), Opt("--dir"), Opt("--cli"), Opt("--captures") ?? FindCaptures());
    case "replay":
        return ReplayBenchmark.Run(new ReplayBenchmark.Options(
            args.ElementAtOrDefault(1) ?? throw new ArgumentException("replay PATH"), Opt("--keylog"), args.Contains("--tshark"),
            Opt("--cli"), int.Parse(Opt("--runs") ?? "1", CultureInfo.InvariantCulture), args.Contains("--in-process"),
            Opt("--workers") is { } w ? int.Parse(w, CultureInfo.InvariantCulture) : null));
    case "msgpath":
        return MessagePathBenchmark.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000);
    case "merge-stage":
        return MergeStageBenchmark.Run(args.ElementAtOrDefault(1) ?? throw new ArgumentException("merge-stage PATH"), Opt("--keylog"),
            int.Parse(Opt("--runs") ?? "5", CultureInfo.InvariantCulture), Opt("--output"));
    case "libraries":
        return LibraryBenchmark.Run(args.ElementAtOrDefault(1) ?? throw new ArgumentException("libraries PATH"));
    case "tls-cost":
        return TlsCostBenchmark.Run(args.ElementAtOrDefault(1));
    case "micro":
        BenchmarkSwitcher.FromAssembly(typeof(ReplayBenchmark).Assembly).Run(args.Skip(1).ToArray());
        return 0;
    default:
        Console.Error.WriteLine("usage: agent-capture bulk|mail-heavy PATH [MB] | memory-flat [GB] [--small MB] [--dir DIR] | generate PATH [MB] | flow-flood PATH [FLOWS] | smtp-idle [SESSIONS] | replay PATH [--keylog K] [--tshark] [--cli PATH] [--runs N] [--workers N] | msgpath [MESSAGES] | libraries PATH | tls-cost [SUITE hex, e.g. 1302] | micro [args]");
        return 1;
}

// The repository's captures/ folder, found upwards from the working directory.
static string FindCaptures()
{
    for (var d = new DirectoryInfo(Environment.CurrentDirectory); d is not null; d = d.Parent)
        if (Directory.Exists(Path.Combine(d.FullName, "captures", "api"))) return Path.Combine(d.FullName, "captures");
    throw new DirectoryNotFoundException("captures/api not found above the working directory; pass --captures DIR");
}
