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
    /// <summary>watch: an interface or the filter cannot be opened (unknown interface, bad BPF, no CAP_NET_RAW, no libpcap), or the capture ended on its own.</summary>
    public const int Capture = 5;
    /// <summary>watch: the metrics address cannot be listened on (in use, not local, no permission).</summary>
    public const int Metrics = 6;
}
