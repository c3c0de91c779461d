namespace McpEgress.Inventory;

/// <summary>
/// Whether a server's environment makes it write TLS key logs where the daemon can read them ("instrumented"): Node
/// with <c>NODE_OPTIONS</c> requiring the key-log preload (<c>mcp-egress-keylog.js</c>, the file
/// <c>inventory --instrument</c> installs, or the older <c>tls-keylog-preload.js</c> of src/deploy) and
/// <c>MCP_EGRESS_KEYLOG</c>, or <c>SSLKEYLOGFILE</c> (Python, and Node's own <c>--tls-keylog</c> equivalent).
/// Decided from variable names; the value of NODE_OPTIONS alone is looked at (never kept or printed).
/// </summary>
public static class KeyLogWiring
{
    public const string NodeOptions = "NODE_OPTIONS";
    public const string SslKeyLogFile = "SSLKEYLOGFILE";
    public const string McpEgressKeyLog = "MCP_EGRESS_KEYLOG";

    /// <summary>File names of the Node preload that writes key logs.</summary>
    public static IReadOnlyList<string> PreloadFileNames { get; } = ["mcp-egress-keylog.js", "tls-keylog-preload.js"];

    /// <param name="envNames">The variable names the server's config sets.</param>
    /// <param name="nodeOptions">The NODE_OPTIONS value the config sets, if any.</param>
    public static bool IsWired(IReadOnlyCollection<string> envNames, string? nodeOptions)
    {
        if (envNames.Contains(SslKeyLogFile)) return true;
        return envNames.Contains(McpEgressKeyLog) || RequiresPreload(nodeOptions);
    }

    /// <summary>NODE_OPTIONS holds <c>--require PATH</c> (or <c>-r</c>, <c>--require=PATH</c>) of the preload, or <c>--tls-keylog=FILE</c>.</summary>
    public static bool RequiresPreload(string? nodeOptions)
    {
        if (string.IsNullOrWhiteSpace(nodeOptions)) return false;
        var words = nodeOptions.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < words.Length; i++)
        {
            string w = words[i].Trim('"', '\'');
            if (w.StartsWith("--tls-keylog=", StringComparison.Ordinal)) return true;
            string? path = w is "--require" or "-r" && i + 1 < words.Length ? words[i + 1].Trim('"', '\'')
                : w.StartsWith("--require=", StringComparison.Ordinal) ? w["--require=".Length..] : null;
            if (path is not null && PreloadFileNames.Any(f => path.EndsWith(f, StringComparison.Ordinal))) return true;
        }
        return false;
    }
}
