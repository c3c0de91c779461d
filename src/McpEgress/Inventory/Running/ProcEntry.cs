namespace McpEgress.Inventory.Running;

/// <summary>One process of a <see cref="ProcessTable"/> snapshot: pid, parent, effective uid, start time, argv and executable.</summary>
public sealed record ProcEntry(int Pid, int ParentPid, uint? Uid, ulong StartTicks, IReadOnlyList<string> Argv, string? Executable, string ProcDirectory)
{
    /// <summary>The file name of argv[0], else of the executable ("node", "npx", "python3.12").</summary>
    public string Name => Argv.Count > 0 && Argv[0].Length > 0 ? Path.GetFileName(Argv[0]) : Path.GetFileName(Executable ?? "");

    public string CommandLine => string.Join(' ', Argv);

    /// <summary>/proc/PID/cwd, read when asked (null when not readable).</summary>
    public string? WorkingDirectory()
    {
        try { return new FileInfo(Path.Combine(ProcDirectory, "cwd")).LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
