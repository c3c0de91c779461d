using McpEgress.Attribution;

namespace McpEgress.Inventory.Instrument;

/// <summary>
/// Decides per stdio server how it can write TLS key logs into the key-log directory: Node processes load the
/// mcp-egress preload (<c>NODE_OPTIONS=--require PRELOAD</c>, file in <c>MCP_EGRESS_KEYLOG</c>, mode 0640 so the
/// daemon's group can read it in the shared setgid directory), Python processes honour <c>SSLKEYLOGFILE</c>. Anything
/// else gets the reason it can't be wired from a config file. The runtime comes from the command (node/npx/python/uvx
/// ..., a script's <c>#!</c> line, a Go build-info marker in a binary) and the package the inventory resolved.
/// </summary>
public sealed class KeyLogPlanner(string preload, string keyLogDirectory)
{
    public const string NodeOptions = "NODE_OPTIONS";
    public const string NodeKeyLog = "MCP_EGRESS_KEYLOG";
    public const string NodeKeyLogMode = "MCP_EGRESS_KEYLOG_MODE";
    public const string PythonKeyLog = "SSLKEYLOGFILE";

    private static readonly HashSet<string> NodeCommands = ["node", "nodejs", "npx", "npm", "pnpm", "pnpx", "yarn", "tsx", "ts-node"];
    private static readonly HashSet<string> PythonCommands = ["python", "python3", "uv", "uvx", "pipx", "poetry", "pipenv", "hatch"];
    private static readonly HashSet<string> ContainerCommands = ["docker", "podman", "nerdctl"];

    public string Preload { get; } = preload;
    public string KeyLogDirectory { get; } = keyLogDirectory.TrimEnd('/');

    /// <summary>
    /// The plan for <paramref name="server"/> given its current env values (<paramref name="env"/>; null values are
    /// not strings) and the owner's user name (part of the key-log file name: users share the directory).
    /// </summary>
    public KeyLogPlan Plan(ConfiguredServer server, SenderIdentity? package, IReadOnlyDictionary<string, string?> env, string owner)
    {
        KeyLogPlan Not(string reason) => new(server, KeyLogRuntime.None, null, [], reason, false);
        if (server.Transport != McpTransport.Stdio || server.Command is null)
            return Not(server.Url is not null
                ? "remote server: its TLS runs on another host (the client's connection to it is the client's own traffic)"
                : server.Note ?? "no command in the entry: nothing to start, nothing to wire");
        var (runtime, reason) = Runtime(server, package);
        if (runtime == KeyLogRuntime.None) return Not(reason!);
        string file = Path.Combine(KeyLogDirectory, FileName(owner, server.Client, server.Name));
        var set = new List<KeyValuePair<string, string>>();
        if (runtime == KeyLogRuntime.Node)
        {
            env.TryGetValue(NodeOptions, out var options);
            if (!HasPreload(options))
                set.Add(new(NodeOptions, (string.IsNullOrWhiteSpace(options) ? "" : options.TrimEnd() + " ") + "--require " + QuoteForNodeOptions(Preload)));
            if (!env.ContainsKey(NodeKeyLog)) set.Add(new(NodeKeyLog, file));
            else file = env[NodeKeyLog] ?? file;
            if (!env.ContainsKey(NodeKeyLogMode)) set.Add(new(NodeKeyLogMode, "0640"));
        }
        else
        {
            if (!env.ContainsKey(PythonKeyLog)) set.Add(new(PythonKeyLog, file));
            else file = env[PythonKeyLog] ?? file;
        }
        bool already = set.Count == 0;
        return new KeyLogPlan(server, runtime, file, set, already ? "already writes key logs" : null, already);
    }

    /// <summary>True when NODE_OPTIONS already requires a file named mcp-egress-keylog.js.</summary>
    public static bool HasPreload(string? nodeOptions) => PreloadIn(nodeOptions) is not null;

    /// <summary>The path of the mcp-egress-keylog.js NODE_OPTIONS requires, or null.</summary>
    public static string? PreloadIn(string? nodeOptions)
    {
        if (string.IsNullOrEmpty(nodeOptions)) return null;
        var words = nodeOptions.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < words.Length; i++)
        {
            string w = words[i];
            string? target = w is "--require" or "-r" && i + 1 < words.Length ? words[i + 1]
                : w.StartsWith("--require=", StringComparison.Ordinal) ? w["--require=".Length..] : null;
            if (target is not null && target.Trim('"').EndsWith(KeyLogs.KeyLogDefaults.PreloadFileName, StringComparison.Ordinal)) return target.Trim('"');
        }
        return null;
    }

    // NODE_OPTIONS splits on spaces; a path with spaces goes in double quotes (node parses them there).
    private static string QuoteForNodeOptions(string path) => path.Contains(' ') ? "\"" + path.Replace("\"", "\\\"") + "\"" : path;

    /// <summary>USER-CLIENT-SERVER.keys with anything but [A-Za-z0-9._-] replaced by '_'.</summary>
    public static string FileName(string owner, string client, string server)
    {
        static string Clean(string s)
        {
            var chars = s.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_').ToArray();
            var t = new string(chars).TrimStart('.');
            return t.Length == 0 ? "_" : t.Length > 60 ? t[..60] : t;
        }
        return $"{Clean(owner)}-{Clean(client)}-{Clean(server)}.keys";
    }

    private static (KeyLogRuntime, string?) Runtime(ConfiguredServer server, SenderIdentity? package)
    {
        string command = server.Command!;
        string name = Path.GetFileName(command);
        if (ContainerCommands.Contains(name))
            return (KeyLogRuntime.None, $"a container ({name} run): the preload and the key-log directory are not inside it and its env is set by "
                + $"{name}'s own -e flags; mount both (-v) and pass the variables with -e by hand, or run the server on the host");
        if (name is "bun" or "bunx" or "deno")
            return (KeyLogRuntime.None, $"{name} is not Node.js: it does not load --require preloads from NODE_OPTIONS");
        if (NodeCommands.Contains(name) || name.EndsWith(".js", StringComparison.Ordinal) || name.EndsWith(".mjs", StringComparison.Ordinal)
            || name.EndsWith(".cjs", StringComparison.Ordinal))
            return (KeyLogRuntime.Node, null);
        if (PythonCommands.Contains(name) || name.StartsWith("python3.", StringComparison.Ordinal) || name.EndsWith(".py", StringComparison.Ordinal))
            return (KeyLogRuntime.Python, null);
        if (package is { Kind: SenderKind.Npm }) return (KeyLogRuntime.Node, null);
        if (package is { Kind: SenderKind.PyPI }) return (KeyLogRuntime.Python, null);
        return ExecutableRuntime(command, server.WorkingDirectory);
    }

    /// <summary>What the executable is: a script's #! interpreter, a Go binary (build-info marker), another native program.</summary>
    private static (KeyLogRuntime, string?) ExecutableRuntime(string command, string? cwd)
    {
        string? path = Locate(command, cwd);
        if (path is null)
            return (KeyLogRuntime.None, $"{command} is not found here (not on PATH): its runtime is unknown");
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            Span<byte> head = stackalloc byte[256];
            int n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            head = head[..n];
            if (head.StartsWith("#!"u8))
            {
                int nl = head.IndexOf((byte)'\n');
                string line = System.Text.Encoding.UTF8.GetString(nl < 0 ? head : head[..nl]);
                if (line.Contains("node")) return (KeyLogRuntime.Node, null);
                if (line.Contains("python")) return (KeyLogRuntime.Python, null);
                return (KeyLogRuntime.None, $"a script run by {line[2..].Trim()}: no key-log setting known for that interpreter");
            }
            if (!head.StartsWith("\u007fELF"u8))
                return (KeyLogRuntime.None, $"{path} is neither a script nor an ELF executable: runtime unknown");
            if (ContainsGoBuildInfo(f))
                return (KeyLogRuntime.None, "a Go binary: crypto/tls writes key logs only when the program sets tls.Config.KeyLogWriter; no environment variable turns it on");
            return (KeyLogRuntime.None, "a native executable: no environment variable makes it write key logs unless it was built to honour SSLKEYLOGFILE (then add it by hand)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (KeyLogRuntime.None, $"{path} cannot be read ({e.Message}): runtime unknown");
        }
    }

    private static string? Locate(string command, string? cwd)
    {
        if (command.Contains('/'))
        {
            var p = Path.IsPathRooted(command) ? command : Path.Combine(cwd ?? Environment.CurrentDirectory, command);
            return File.Exists(p) ? p : null;
        }
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/bin", "/usr/bin", "/bin"]);
        return dirs.Select(d => Path.Combine(d, command)).FirstOrDefault(File.Exists);
    }

    private static readonly byte[] GoBuildInfoMagic = [0xFF, .. " Go buildinf:"u8];

    // Go writes "\xff Go buildinf:" at the start of its .go.buildinfo section (every Go binary since 1.13). Read at most 256 MiB.
    private static bool ContainsGoBuildInfo(FileStream f)
    {
        ReadOnlySpan<byte> magic = GoBuildInfoMagic;
        var buffer = new byte[1 << 16];
        f.Position = 0;
        long total = 0;
        int keep = 0;
        while (total < (256L << 20))
        {
            int n = f.Read(buffer, keep, buffer.Length - keep);
            if (n <= 0) return false;
            total += n;
            int len = keep + n;
            if (buffer.AsSpan(0, len).IndexOf(magic) >= 0) return true;
            keep = Math.Min(magic.Length - 1, len);
            buffer.AsSpan(len - keep, keep).CopyTo(buffer);
        }
        return false;
    }
}
