namespace McpEgress.KeyLogs;

/// <summary>
/// Where key logs go by default, shared by <c>inventory --instrument</c> (which makes MCP servers write them) and
/// <c>watch</c> (which follows them): one directory, so an instrumented server is decrypted with no further setup.
/// </summary>
public static class KeyLogDefaults
{
    /// <summary>
    /// <c>/run/mcp-egress/keys</c>: tmpfs (secrets never reach a disk or a backup), outside <c>/tmp</c> (the unit has
    /// <c>PrivateTmp=yes</c>), created mode 3733 group mcp-egress by <c>src/deploy/mcp-egress.tmpfiles</c>.
    /// </summary>
    public const string Directory = "/run/mcp-egress/keys";

    /// <summary>What <c>watch</c> follows by default: every <c>*.keys</c> file of <see cref="Directory"/>.</summary>
    public const string Glob = Directory + "/*.keys";

    /// <summary>The file name of the Node preload (src/deploy/mcp-egress-keylog.js).</summary>
    public const string PreloadFileName = "mcp-egress-keylog.js";

    /// <summary>Where the package installs the Node preload.</summary>
    public const string Preload = "/usr/lib/mcp-egress/" + PreloadFileName;
}
