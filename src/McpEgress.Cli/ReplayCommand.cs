using System.CommandLine;
using System.Diagnostics;
using McpEgress.Capture;
using McpEgress.Config;
using McpEgress.Detection;
using McpEgress.Export;
using McpEgress.Pipeline;
using Spectre.Console;

namespace McpEgress.Cli;

/// <summary><c>mcp-egress replay FILE... [--config F] [--output F] [--workers N]</c>: runs the whole pipeline over capture files.</summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var files = FileArguments.RefuseOptions(new Argument<string[]>("files")
        {
            Description = "pcap or pcapng files, replayed in the order given as one continuous capture",
            Arity = ArgumentArity.OneOrMore,
        });
        var config = new Option<string?>("--config", "-c") { Description = "config file (YAML or JSON); default: built-in policy" };
        var output = new Option<string?>("--output", "-o") { Description = "write ECS NDJSON events to this file instead of stdout (- is stdout, as for watch)" };
        var keylogs = new Option<string[]>("--keylog", "-k")
        {
            Description = "TLS key log file (NSS format); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var noProgress = new Option<bool>("--no-progress") { Description = "never draw a progress bar" };
        var workers = WorkersOption.Create("replay.workers");
        var state = new Option<string?>("--state") { Description = "state database: load baselines from it and save them back (default: state.path; none: memory only)" };

        var command = new Command("replay", "Replay capture files: every message with its real recipients, and alerts on hidden ones.")
        {
            files, config, output, keylogs, noProgress, state, workers,
        };
        command.SetAction(parse => Run(
            parse.GetValue(files) ?? [],
            parse.GetValue(config),
            parse.GetValue(output),
            parse.GetValue(keylogs) ?? [],
            parse.GetValue(noProgress),
            parse.GetValue(state),
            parse.GetValue(workers)));
        return command;
    }

    /// <summary>Replay is offline: a full state queue makes it wait, never drop a write.</summary>
    private static McpEgress.State.StateOptions WaitWhenFull(McpEgress.State.StateOptions options)
    {
        var copy = options.Copy();
        copy.WaitWhenFull = true;
        return copy;
    }

    private static int Run(string[] files, string? configPath, string? outputPath, string[] keylogs, bool noProgress, string? statePath = null, int? workers = null)
    {
        if (!CliConfig.TryLoad(configPath, out var config)) return ExitCodes.Config;
        var limits = config.Limits;

        Stream outStream;
        try
        {
            outStream = outputPath is null or "-" ? Console.OpenStandardOutput() : File.Create(outputPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"mcp-egress: cannot write {outputPath}: {ex.Message}");
            return ExitCodes.Output;
        }

        // The writer batches events in 64 KiB writes, flushed when full and at the end: flushing every event cost one
        // write(2) per event, 18% of a mail-heavy replay even to /dev/null (watch adds a 100 ms flush deadline).
        var writer = new EcsEventWriter(outStream);
        var output = new EcsPipelineOutput(writer);
        // With a state file, baselines start from what earlier runs saved and are written back behind the rules.
        using var state = (statePath ?? config.State.Path) is { Length: > 0 } stateFile
            ? McpEgress.State.StateDatabase.TryOpen(stateFile, WaitWhenFull(config.State), line => Console.Error.WriteLine("mcp-egress: " + line))
            : null;
        var baselines = McpEgress.State.BaselinePersistence.Open(state, log: line => Console.Error.WriteLine("mcp-egress: " + line));
        using var pipeline = new MonitorPipeline(limits, new DetectionEngine(config.Detection, baselines), output,
            workers: workers ?? config.Replay.Workers);
        if (ReplayKeyLogs.Load(pipeline.KeyLog, keylogs, files) is { } keyLogError)
        {
            Console.Error.WriteLine($"mcp-egress: {keyLogError}");
            return ExitCodes.Input;
        }
        // Every key is known up front unless a capture can still bring some (pcapng Decryption Secrets Blocks): then
        // unkeyed TLS sessions are opaque at once instead of holding their ciphertext (README "replay").
        pipeline.KeyLog.Complete = !files.Any(McpEgress.Capture.CaptureSecretsProbe.MayCarrySecrets);
        var replay = new CaptureReplay(pipeline, limits.Capture);
        var sw = Stopwatch.StartNew();

        long totalBytes = files.Sum(f => File.Exists(f) ? new FileInfo(f).Length : 0);
        bool showProgress = !noProgress && !Console.IsErrorRedirected && totalBytes > 16 << 20;
        var errors = new List<string>();
        if (showProgress)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            console.Progress().AutoClear(true).Start(ctx =>
            {
                var task = ctx.AddTask("replay", maxValue: totalBytes);
                long done = 0;
                foreach (var f in files)
                {
                    var err = replay.ReplayFile(f, pos => task.Value = done + pos);
                    if (err is not null) errors.Add(err);
                    done += File.Exists(f) ? new FileInfo(f).Length : 0;
                }
            });
        }
        else
        {
            foreach (var f in files)
                if (replay.ReplayFile(f, null) is { } err) errors.Add(err);
        }
        pipeline.Finish();
        writer.Dispose(); // flushes; a failure is counted by the writer, not thrown
        sw.Stop();

        ReplaySummary.Write(Console.Error, files.Length, pipeline, sw.Elapsed);
        if (state is not null)
        {
            state.Flush();
            Console.Error.WriteLine($"mcp-egress: state {state.Path}: {state.Writes} writes" +
                (state.DroppedWrites > 0 ? $", {state.DroppedWrites} dropped (queue full)" : ""));
        }
        foreach (var e in errors) Console.Error.WriteLine($"mcp-egress: {e}");
        if (writer.WriteFailures > 0)
        {
            Console.Error.WriteLine($"mcp-egress: cannot write {outputPath ?? "standard output"}: {writer.LastWriteError}; events were lost");
            return ExitCodes.Output;
        }
        return errors.Count == 0 ? ExitCodes.Success : ExitCodes.Input;
    }
}
