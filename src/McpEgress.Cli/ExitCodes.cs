namespace McpEgress.Cli;

/// <summary>Process exit codes, documented in the README.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    /// <summary>Bad command line (System.CommandLine's own parse errors also exit 1).</summary>
    public const int Usage = 1;
    /// <summary>The config file is missing or invalid.</summary>
    public const int Config = 2;
    /// <summary>An input file is missing, unreadable, not a capture, or truncated (what preceded the cut was still processed).</summary>
    public const int Input = 3;
    /// <summary>The output could not be written.</summary>
    public const int Output = 4;
}
