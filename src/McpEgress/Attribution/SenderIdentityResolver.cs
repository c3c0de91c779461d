namespace McpEgress.Attribution;

/// <summary>
/// Resolves a process to its <see cref="SenderIdentity"/>: for Node the npm package of its script
/// (<see cref="NodePackageLocator"/>), for Python the PyPI distribution it runs (<see cref="PythonDistributionLocator"/>),
/// otherwise its executable. Used by flow attribution (<see cref="ProcessResolver"/>) and the MCP server inventory,
/// so both name a sender the same way. Never throws.
/// </summary>
public sealed class SenderIdentityResolver
{
    private readonly NodePackageLocator _node;
    private readonly PythonDistributionLocator _python = new();

    public SenderIdentityResolver(NodePackageLocator? node = null) => _node = node ?? new NodePackageLocator();

    public NodePackageLocator Node => _node;
    public PythonDistributionLocator Python => _python;

    /// <summary>
    /// <paramref name="argv"/>: the process's arguments (argv[0] first); <paramref name="executable"/>: /proc/PID/exe;
    /// <paramref name="workingDirectory"/>: a function giving the cwd, called only when a relative script needs it
    /// (reading /proc/PID/cwd costs a syscall); <paramref name="extraSitePackages"/>: more folders for <c>python -m</c>.
    /// </summary>
    public ResolvedSender Resolve(IReadOnlyList<string> argv, string? executable, Func<string?>? workingDirectory = null,
        IEnumerable<string>? extraSitePackages = null)
    {
        string? argv0 = argv.Count > 0 ? argv[0] : null;
        if (NodePackageLocator.IsNode(executable) || NodePackageLocator.IsNode(argv0))
        {
            var script = NodePackageLocator.FindScriptArgument(argv);
            if (script is not null)
            {
                string? cwd = Path.IsPathRooted(script) ? null : workingDirectory?.Invoke();
                var (path, package) = _node.LocatePackage(script, cwd);
                if (package is not null)
                    return new ResolvedSender(new SenderIdentity(SenderKind.Npm, package.Name, package.Version), path, package, null);
                return new ResolvedSender(ExecutableOf(executable, argv0), path, null, null);
            }
        }
        else if (PythonDistributionLocator.IsPython(executable) || PythonDistributionLocator.IsPython(argv0))
        {
            var (script, _) = PythonDistributionLocator.FindScriptOrModule(argv);
            string? cwd = script is not null && !Path.IsPathRooted(script) ? workingDirectory?.Invoke() : null;
            var (path, dist) = _python.Locate(argv, executable, cwd, extraSitePackages);
            if (dist is not null)
                return new ResolvedSender(new SenderIdentity(SenderKind.PyPI, dist.Name, dist.Version), path, null, dist);
            return new ResolvedSender(ExecutableOf(executable, argv0), path, null, null);
        }
        return new ResolvedSender(ExecutableOf(executable, argv0), null, null, null);
    }

    private static SenderIdentity ExecutableOf(string? executable, string? argv0) =>
        SenderIdentity.Executable(executable ?? argv0 ?? "unknown");
}
