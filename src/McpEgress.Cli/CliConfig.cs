using McpEgress.Config;

namespace McpEgress.Cli;

/// <summary>The config file as every command reads it: the file, or the built-in default when none is given.</summary>
internal static class CliConfig
{
    /// <summary>Loads and validates every section; on error prints each problem (file:line:col: key: what) and returns false.</summary>
    public static bool TryLoad(string? path, out McpEgressConfig config)
    {
        try
        {
            config = path is null ? McpEgressConfig.Default : ConfigLoader.Load(path);
            return true;
        }
        catch (ConfigException ex)
        {
            Report(ex);
            config = null!;
            return false;
        }
    }

    public static void Report(ConfigException ex) => Console.Error.WriteLine($"mcp-egress: {ex.Message}");
}
