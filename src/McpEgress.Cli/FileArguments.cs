using System.CommandLine;

namespace McpEgress.Cli;

/// <summary>File arguments that never take an unknown option for a file name.</summary>
internal static class FileArguments
{
    /// <summary>
    /// System.CommandLine hands an unknown "--bogus" to a file argument; refuse it as an unknown option (exit 1).
    /// A file whose name starts with '-' is given as ./-name.
    /// </summary>
    public static T RefuseOptions<T>(T argument) where T : Argument
    {
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
                if (token.Value.Length > 1 && token.Value[0] == '-')
                    result.AddError($"unknown option '{token.Value}' (a file whose name starts with '-' is given as ./{token.Value})");
        });
        return argument;
    }
}
