using System.CommandLine;
using McpEgress.Config;

namespace McpEgress.Cli;

/// <summary>
/// <c>mcp-egress config check FILE</c>: validates a config file as <c>replay</c> and <c>watch</c> would load it. Valid:
/// the effective config (every section and key, defaults applied) as YAML on stdout, exit 0; that YAML loads again to
/// the same config. Invalid: every error as <c>file:line:col: key: problem</c>, one per line, on stderr, exit 2.
/// </summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var file = FileArguments.RefuseOptions(new Argument<string>("file") { Description = "config file (YAML or JSON)" });
        var check = new Command("check", "Validate a config file; print the effective config as YAML, or every error with file:line:col.") { file };
        check.SetAction(parse => Check(parse.GetValue(file)!));
        return new Command("config", "Work with config files.") { check };
    }

    private static int Check(string path)
    {
        McpEgressConfig config;
        try
        {
            config = ConfigLoader.Load(path);
        }
        catch (ConfigException ex)
        {
            foreach (var error in ex.Errors) Console.Error.WriteLine(error.ToString());
            return ExitCodes.Config;
        }
        Console.Out.Write($"# effective config of {path} (defaults applied)\n" + ConfigYamlWriter.Write(config));
        return ExitCodes.Success;
    }
}
