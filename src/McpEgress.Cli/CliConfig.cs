using McpEgress.Detection;
using McpEgress.Pipeline;

namespace McpEgress.Cli;

/// <summary>The config file as every command reads it: the file (or the built-in default) and its bound limits.</summary>
internal static class CliConfig
{
    /// <summary>Loads and validates; on error prints each problem (file:line:col: key: what) and returns false.</summary>
    public static bool TryLoad(string? path, out McpEgressConfig config, out PipelineOptions limits)
    {
        try
        {
            config = path is null ? McpEgressConfig.Default : ConfigLoader.Load(path);
            limits = LimitsBinder.Bind(config.Limits, path ?? "<default>");
            return true;
        }
        catch (ConfigException ex)
        {
            Report(ex);
            config = null!;
            limits = null!;
            return false;
        }
    }

    public static void Report(ConfigException ex) => Console.Error.WriteLine($"mcp-egress: {ex.Message}");
}
