using McpEgress.Attribution;
using McpEgress.Inventory.Advisories;
using McpEgress.Inventory.Clients;
using McpEgress.Inventory.Running;
using McpEgress.Native;

namespace McpEgress.Inventory;

/// <summary>
/// The MCP servers of a host: every server the MCP clients of the given homes are configured to run (user files and
/// project files found below the homes and in Claude Code's project list), every one running (<see cref="RunningServerDetector"/>),
/// each resolved to its package and version (<see cref="ServerPackageResolver"/>) and matched against advisories. A
/// running server is merged into the configured entry it was started from. Files it can't read are reported as
/// <see cref="ConfigProblem"/>s; the rest is still inventoried. Stage-independent: the CLI, and later the daemon, call it.
/// </summary>
public sealed class McpInventory
{
    /// <summary>Every client reader, in output order.</summary>
    public static IReadOnlyList<IMcpConfigReader> Readers { get; } =
    [
        new ClaudeDesktopConfigReader(), new ClaudeCodeConfigReader(), new CursorConfigReader(), new VsCodeConfigReader(),
        new WindsurfConfigReader(), new GeminiCliConfigReader(), new CodexConfigReader(), new ZedConfigReader(),
    ];

    private readonly InventoryOptions _options;
    private readonly AdvisoryDatabase _advisories;
    private readonly SenderIdentityResolver _senders = new();

    public McpInventory(InventoryOptions? options = null, AdvisoryDatabase? advisories = null)
    {
        _options = options ?? new InventoryOptions();
        _advisories = advisories ?? AdvisoryDatabase.BuiltIn();
    }

    /// <summary>Every /home/* and /root when running as root, else the user's own home.</summary>
    public static List<string> DefaultHomes()
    {
        if (LibC.EffectiveUid != 0) return [Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)];
        var homes = new List<string>();
        try { homes.AddRange(Directory.EnumerateDirectories("/home").Order(StringComparer.Ordinal)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        if (Directory.Exists("/root")) homes.Add("/root");
        return homes;
    }

    public InventoryResult Scan()
    {
        var homes = (_options.Homes ?? DefaultHomes()).Select(h => Path.GetFullPath(h).TrimEnd('/')).Distinct().ToList();
        var output = new ConfigReadOutput();
        var homeOf = new Dictionary<ConfiguredServer, string>(ReferenceEqualityComparer.Instance);
        foreach (var home in homes)
        {
            int firstServer = output.Servers.Count;
            output.Projects.Clear();
            foreach (var reader in Readers)
                foreach (var file in reader.UserFiles(home))
                    ReadFile(reader, file, "user", null, output);
            var projects = new List<string>(output.Projects);
            projects.AddRange(ProjectFinder.Find(home, IsProject, _options.MaxProjectDepth, _options.MaxDirectoriesPerHome));
            foreach (var project in projects.Select(p => p.TrimEnd('/')).Distinct(StringComparer.Ordinal))
            {
                if (project == home) continue; // home's .cursor/mcp.json etc. are its user files
                foreach (var reader in Readers)
                    foreach (var file in reader.ProjectFiles(project))
                        ReadFile(reader, file, "project", project, output);
            }
            for (int i = firstServer; i < output.Servers.Count; i++) homeOf[output.Servers[i]] = home;
        }

        var packages = new ServerPackageResolver(_options, _senders);
        var records = new List<McpServerRecord>();
        foreach (var s in output.Servers)
        {
            var server = s;
            if (server.Command is not null && Path.GetFileName(server.Command) is "docker" or "podman" or "nerdctl")
                server = server with { EnvNames = server.EnvNames.Concat(ServerPackageResolver.DockerEnvNames(server.Args)).Distinct(StringComparer.Ordinal).ToList() };
            var (package, unresolved) = packages.Resolve(server, homeOf[s]);
            records.Add(new McpServerRecord
            {
                Configured = server, Client = server.Client, Name = server.Name, Transport = server.Transport,
                Package = package, Unresolved = unresolved,
            });
        }

        if (_options.ScanProcesses)
        {
            var table = ProcessTable.Snapshot(_options.ProcRoot);
            var detector = new RunningServerDetector(_senders, new UserNameCache(_options.PasswdPath));
            foreach (var (process, config) in detector.Detect(table, output.Servers))
                Merge(records, process, config);
        }

        foreach (var r in records)
        {
            var identities = new List<SenderIdentity>();
            if (r.Package is not null) identities.Add(r.Package);
            identities.AddRange(r.Running.Select(p => p.Identity));
            foreach (var id in identities)
                foreach (var m in _advisories.Match(id))
                    if (!r.Advisories.Any(a => a.Id == m.Id)) r.Advisories.Add(m);
        }
        var problems = new List<ConfigProblem>(output.Problems);
        problems.AddRange(_advisories.Problems);
        return new InventoryResult(records, problems, homes);
    }

    private static bool IsProject(string dir)
    {
        foreach (var reader in Readers)
            foreach (var f in reader.ProjectFiles(dir))
                if (File.Exists(f)) return true;
        return false;
    }

    private void ReadFile(IMcpConfigReader reader, string file, string scope, string? project, ConfigReadOutput output)
    {
        byte[] content;
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists) return;
            if (info.Length > _options.MaxConfigBytes)
            {
                output.Problems.Add(new ConfigProblem(file, 0, 0, $"larger than {_options.MaxConfigBytes} bytes; not read"));
                return;
            }
            content = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.Problems.Add(new ConfigProblem(file, 0, 0, "cannot read: " + e.Message));
            return;
        }
        try
        {
            reader.Read(file, content, scope, project, output);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A reader bug must not lose the rest of the inventory.
            output.Problems.Add(new ConfigProblem(file, 0, 0, $"cannot read: {e.GetType().Name}: {e.Message}"));
        }
    }

    private static void Merge(List<McpServerRecord> records, RunningMcpProcess process, ConfiguredServer? config)
    {
        McpServerRecord? target = null;
        if (config is not null)
            target = records.FirstOrDefault(r => ReferenceEquals(r.Configured, config) || r.Configured == config);
        if (target is null && process.Identity.IsPackage)
        {
            var same = records.Where(r => r.Configured is not null && r.Package is { } p && p.Kind == process.Identity.Kind && p.Name == process.Identity.Name).ToList();
            target = same.FirstOrDefault(r => r.Client == process.ClientId) ?? same.FirstOrDefault();
        }
        if (target is null)
        {
            target = new McpServerRecord
            {
                Client = process.ClientId ?? (process.ClientIdentity is { } c ? (c.IsPackage ? c.Name : Path.GetFileName(c.Name)) : "unknown"),
                Name = process.Identity.IsPackage ? process.Identity.Name : Path.GetFileName(process.Identity.Name),
                Transport = process.ClientPid is not null ? McpTransport.Stdio : McpTransport.Unknown,
                Package = process.Identity.IsPackage ? process.Identity : null,
                Unresolved = process.Identity.IsPackage ? null : "running executable that belongs to no npm package or Python distribution",
            };
            records.Add(target);
        }
        else if (target.Package is null || target.Package.Version is null && process.Identity.IsPackage)
        {
            // What runs is the better answer than what the config implies.
            target.Package = process.Identity.IsPackage ? process.Identity : target.Package;
            if (target.Package is not null && target.Package.Version is not null) target.Unresolved = null;
        }
        target.Running.Add(process);
    }
}
