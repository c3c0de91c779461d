using System.CommandLine;
using McpEgress.Config;
using McpEgress.Daemon;

namespace McpEgress.Cli;

/// <summary>
/// <c>mcp-egress watch [--interface IF]... [--filter BPF] [--keylog PATH]... [--config F] [--metrics-listen HOST:PORT]
/// [--output F] [--workers N]</c>: the live daemon. Flags override the config file's <c>watch:</c> section.
/// </summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var interfaces = new Option<string[]>("--interface", "-i")
        {
            Description = "interface to capture on; repeatable; \"any\" = all (default: watch.interfaces, else any)",
            AllowMultipleArgumentsPerToken = false,
        };
        var filter = new Option<string?>("--filter", "-f") { Description = "BPF capture filter (default: watch.filter, else \"tcp\")" };
        var keylogs = new Option<string[]>("--keylog", "-k")
        {
            Description = "TLS key log file or glob (e.g. '/run/mcp-egress/keys/*.keys'), followed as it grows; repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var config = new Option<string?>("--config", "-c") { Description = "config file (YAML or JSON); SIGHUP reloads it" };
        var metrics = new Option<string?>("--metrics-listen") { Description = "HOST:PORT for /metrics and /healthz (default 127.0.0.1:9464)" };
        var output = new Option<string?>("--output", "-o") { Description = "ECS NDJSON events file, rotated by size (default: stdout)" };
        var workers = WorkersOption.Create("watch.workers");
        var state = new Option<string?>("--state") { Description = $"state database (baselines, inventory history; default: state.path, else {McpEgress.State.StateOptions.DefaultWatchPath})" };

        var command = new Command("watch", "Watch live traffic: every outbound message with its real recipients, alerts on hidden ones, Prometheus metrics.")
        {
            interfaces, filter, keylogs, config, metrics, output, state, workers,
        };
        command.SetAction(parse => Run(
            parse.GetValue(interfaces) ?? [],
            parse.GetValue(filter),
            parse.GetValue(keylogs) ?? [],
            parse.GetValue(config),
            parse.GetValue(metrics),
            parse.GetValue(output),
            parse.GetValue(state),
            parse.GetValue(workers)));
        return command;
    }

    private static int Run(string[] interfaces, string? filter, string[] keylogs, string? configPath, string? metricsListen, string? outputPath, string? statePath, int? workers = null)
    {
        if (!CliConfig.TryLoad(configPath, out var config)) return ExitCodes.Config;
        var stateOptions = config.State.Copy();
        stateOptions.Path = statePath ?? stateOptions.Path ?? McpEgress.State.StateOptions.DefaultWatchPath;
        config = config.WithState(stateOptions);

        // Flags override the config file (on a copy: the loaded config stays what the file says).
        var options = config.Watch.Clone();
        if (interfaces.Length > 0) options.Interfaces = interfaces;
        if (filter is not null) options.Filter = filter;
        if (keylogs.Length > 0) options.KeyLogs = keylogs;
        if (metricsListen is not null)
        {
            if (!Export.Prometheus.MetricsServerOptions.TryParse(metricsListen, out _))
            {
                Console.Error.WriteLine($"mcp-egress: --metrics-listen '{metricsListen}': expected HOST:PORT with an IP address or localhost, e.g. 127.0.0.1:9464");
                return ExitCodes.Usage;
            }
            options.MetricsListen = metricsListen;
        }
        if (outputPath is not null) options.Output = outputPath;
        if (workers is { } n) options.Workers = n;

        Func<McpEgressConfig>? reload = configPath is null ? null : () => ConfigLoader.Load(configPath);
        using var daemon = new WatchDaemon(config, options, reload, Console.Error);
        try
        {
            daemon.Start();
        }
        catch (WatchStartupException ex)
        {
            Console.Error.WriteLine($"mcp-egress: {ex.Message}");
            return ex.Failure switch
            {
                WatchStartupFailure.Output => ExitCodes.Output,
                WatchStartupFailure.Metrics => ExitCodes.Metrics,
                _ => ExitCodes.Capture,
            };
        }
        daemon.RegisterSignals();
        Console.Error.WriteLine($"mcp-egress: watching {string.Join(", ", options.Interfaces)} (filter \"{options.Filter}\"), "
            + $"metrics on http://{daemon.MetricsEndPoint}/metrics, events to {(string.IsNullOrEmpty(options.Output) || options.Output == "-" ? "stdout" : options.Output)}"
            + (options.KeyLogs.Count > 0 ? $", key logs {string.Join(", ", options.KeyLogs)}" : ""));
        bool stoppedOnRequest = daemon.Run();
        return stoppedOnRequest ? ExitCodes.Success : ExitCodes.Capture;
    }
}
