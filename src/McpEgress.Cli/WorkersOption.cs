using System.CommandLine;
using McpEgress.Pipeline;

namespace McpEgress.Cli;

/// <summary><c>--workers N</c> of replay and watch: packet workers, 1 to <see cref="ReplayOptions.MaxWorkers"/>.</summary>
internal static class WorkersOption
{
    public static Option<int?> Create(string configKey)
    {
        var option = new Option<int?>("--workers", "-w")
        {
            Description = $"packet workers, threads that own flows (default: {configKey}, else the number of cores; 1: one thread)",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } n && n is < 1 or > ReplayOptions.MaxWorkers)
                result.AddError($"--workers must be from 1 to {ReplayOptions.MaxWorkers}, got {n}");
        });
        return option;
    }
}
