using McpEgress.Attribution;

namespace McpEgress.Inventory.Running;

/// <summary>
/// Finds the running MCP servers in a <see cref="ProcessTable"/>. A process is one when
/// <list type="bullet">
/// <item>its command line (or that of the npx/uvx/shell wrapper that started it) is a configured stdio server's
/// (reason "configured"), or</item>
/// <item>it is a Node process whose npm package depends on <c>@modelcontextprotocol/sdk</c> (reason "mcp-sdk"), or</item>
/// <item>it is a Python process whose distribution requires <c>mcp</c> or <c>fastmcp</c>, or whose (non-system)
/// environment has them installed (reason "python-mcp"),</item>
/// </list>
/// and it is neither a known MCP client nor a wrapper, nor the parent of another server found (a process that
/// starts an MCP server over stdio is its client, even when it uses the same SDK). Its client is the nearest ancestor
/// that is not a wrapper.
/// </summary>
public sealed class RunningServerDetector
{
    private const int MaxAncestors = 8;
    private static readonly string[] SystemPrefixes = ["/usr/lib/", "/usr/local/lib/", "/usr/lib64/"];

    private readonly SenderIdentityResolver _senders;
    private readonly UserNameCache _users;
    private readonly Dictionary<int, ResolvedSender> _resolved = new();

    public RunningServerDetector(SenderIdentityResolver senders, UserNameCache users)
    {
        _senders = senders;
        _users = users;
    }

    /// <summary>The servers found, each with the configured entry its command line matched (if any).</summary>
    public List<(RunningMcpProcess Process, ConfiguredServer? Configured)> Detect(ProcessTable table, IReadOnlyList<ConfiguredServer> configured)
    {
        var found = new List<(RunningMcpProcess, ConfiguredServer?)>();
        var candidates = new List<(ProcEntry Entry, string Reason, ConfiguredServer? Config, List<int> Wrappers)>();
        int self = Environment.ProcessId;
        foreach (var e in table.Entries)
        {
            if (e.Pid == self) continue;
            var sender = Resolve(e);
            if (KnownMcpClients.Identify(e, sender.Identity) is not null || KnownMcpClients.IsWrapper(e, sender.Identity)) continue;
            var (config, wrappers) = MatchConfigured(table, e, configured);
            string? reason = config is not null ? "configured"
                : sender.Node is { } node && node.DependsOn("@modelcontextprotocol/sdk") ? "mcp-sdk"
                : sender.Python is { } py && IsPythonMcp(py) ? "python-mcp"
                : null;
            if (reason is not null) candidates.Add((e, reason, config, wrappers));
        }
        // A candidate that started another candidate is that server's client.
        var parents = new HashSet<int>();
        foreach (var (e, _, _, wrappers) in candidates)
        {
            int p = wrappers.Count > 0 ? table.Get(wrappers[^1])?.ParentPid ?? 0 : e.ParentPid;
            parents.Add(p);
        }
        foreach (var (e, reason, config, wrappers) in candidates)
        {
            if (parents.Contains(e.Pid)) continue;
            int clientPid = wrappers.Count > 0 ? table.Get(wrappers[^1])?.ParentPid ?? 0 : e.ParentPid;
            var client = table.Get(clientPid);
            SenderIdentity? clientIdentity = client is null ? null : Resolve(client).Identity;
            found.Add((new RunningMcpProcess
            {
                Pid = e.Pid,
                Uid = e.Uid,
                UserName = e.Uid is uint u ? _users.Lookup(u) : null,
                Executable = e.Executable,
                CommandLine = e.CommandLine.Length > 4096 ? e.CommandLine[..4096] : e.CommandLine,
                StartedAt = table.StartedAt(e),
                Identity = IdentityOf(e),
                Reason = reason,
                ClientPid = client?.Pid,
                ClientId = client is null ? null : KnownMcpClients.Identify(client, clientIdentity),
                ClientIdentity = clientIdentity,
                WrapperPids = wrappers,
            }, config));
        }
        return found;
    }

    private ResolvedSender Resolve(ProcEntry e)
    {
        if (_resolved.TryGetValue(e.Pid, out var r)) return r;
        r = _senders.Resolve(e.Argv, e.Executable, e.WorkingDirectory);
        _resolved[e.Pid] = r;
        return r;
    }

    // docker run's CLI process stands for the container: its identity is the image.
    private SenderIdentity IdentityOf(ProcEntry e) =>
        e.Name is "docker" or "podman" or "nerdctl" && ServerPackageResolver.ImageOf(e.Argv) is { } image ? image : Resolve(e).Identity;

    private static bool IsPythonMcp(PythonDistribution d)
    {
        if (d.RequiresAny("mcp", "fastmcp")) return true;
        if (PythonDistributionLocator.NormalizeName(d.Name) is "mcp" or "fastmcp") return true;
        if (SystemPrefixes.Any(p => d.SitePackages.StartsWith(p, StringComparison.Ordinal))) return false;
        try
        {
            return Directory.EnumerateDirectories(d.SitePackages, "*.dist-info")
                .Select(x => Path.GetFileName(x))
                .Any(n => n.StartsWith("mcp-", StringComparison.OrdinalIgnoreCase) || n.StartsWith("fastmcp-", StringComparison.OrdinalIgnoreCase));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>The configured stdio server whose command line is this process's or one of its wrapper ancestors'.</summary>
    private (ConfiguredServer?, List<int>) MatchConfigured(ProcessTable table, ProcEntry e, IReadOnlyList<ConfiguredServer> configured)
    {
        var wrappers = new List<int>();
        var current = e;
        for (int hop = 0; hop < MaxAncestors && current is not null; hop++)
        {
            foreach (var s in configured)
                if (s.Command is not null && Matches(current.Argv, s)) return (s, wrappers);
            var parent = table.Get(current.ParentPid);
            if (parent is null || !KnownMcpClients.IsWrapper(parent, Resolve(parent).Identity)) break;
            wrappers.Add(parent.Pid);
            current = parent;
        }
        // No configured match: still climb over wrappers so the client is the real one.
        wrappers.Clear();
        current = table.Get(e.ParentPid);
        for (int hop = 0; hop < MaxAncestors && current is not null && KnownMcpClients.IsWrapper(current, Resolve(current).Identity); hop++)
        {
            wrappers.Add(current.Pid);
            current = table.Get(current.ParentPid);
        }
        return (null, wrappers);
    }

    /// <summary>
    /// argv runs the configured entry: its arguments end argv, and its command is argv[0] (by file name) or appears
    /// in it (npx rewrites its title to "npm exec ARGS" as one string).
    /// </summary>
    public static bool Matches(IReadOnlyList<string> argv, ConfiguredServer s)
    {
        if (argv.Count == 0 || s.Command is null) return false;
        var flat = argv.Count == 1 && argv[0].Contains(' ') ? argv[0].Split(' ', StringSplitOptions.RemoveEmptyEntries) : argv.ToArray();
        string cmd = Path.GetFileName(s.Command);
        bool commandMatches = Path.GetFileName(flat[0]) == cmd || (cmd == "npx" && flat.Length > 1 && flat[0] == "npm" && flat[1] == "exec");
        if (!commandMatches) return false;
        if (s.Args.Count == 0) return flat.Length == 1 || s.Command.Contains('/');
        if (flat.Length - 1 < s.Args.Count) return false;
        for (int i = 0; i < s.Args.Count; i++)
            if (flat[flat.Length - s.Args.Count + i] != s.Args[i]) return false;
        return true;
    }
}
