using System.Security.Cryptography;
using McpEgress.Attribution;
using McpEgress.Inventory.Clients;
using McpEgress.Native;

namespace McpEgress.Inventory.Instrument;

/// <summary>What instrumenting (or reverting) one config file did or would do.</summary>
public sealed record InstrumentedFile(string File, byte[] Before, byte[] After, IReadOnlyList<KeyLogPlan> Plans, ConfigProblem? Problem)
{
    public bool Changes => Problem is null && !Before.AsSpan().SequenceEqual(After);
}

/// <summary>
/// <c>inventory --instrument</c> for one config file: plans every server of the file (<see cref="KeyLogPlanner"/>), splices
/// the env changes in (<see cref="JsonEnvEditor"/>, <see cref="TomlEnvEditor"/>), and checks the result (it parses, the
/// variables read back as planned, every other env value and every server is as before) — any doubt leaves a server, or
/// the whole file, untouched. <see cref="Instrument"/> is a pure function of the bytes, so applying twice changes nothing
/// and <see cref="Revert"/> can tell whether the file is still exactly what <see cref="Apply"/> wrote from its backup.
/// Writes are atomic (a temp file beside it, fsync, rename) and keep the file's owner and mode; the backup
/// (<c>FILE.mcp-egress.bak</c>) gets the same owner and mode. Symbolic links are not replaced.
/// </summary>
public sealed class ConfigInstrumenter(KeyLogPlanner planner, UserNameCache? users = null)
{
    public const string BackupSuffix = ".mcp-egress.bak";

    private readonly UserNameCache _users = users ?? new UserNameCache();

    public KeyLogPlanner Planner => planner;

    public static IConfigEnvEditor EditorFor(IMcpConfigReader reader) => reader is CodexConfigReader ? new TomlEnvEditor() : new JsonEnvEditor();

    /// <summary>The user a file's key logs are named after: its owner.</summary>
    public string OwnerName(string file) =>
        LibC.TryStat(file, out var st) ? _users.Lookup(st.Uid) ?? st.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture) : Environment.UserName;

    /// <summary>
    /// <paramref name="content"/> with every server that can be wired writing key logs. A file that does not parse, or
    /// whose entries have problems, comes back unchanged with the problem.
    /// </summary>
    public InstrumentedFile Instrument(IMcpConfigReader reader, string file, byte[] content, string scope, string? project,
        Func<ConfiguredServer, SenderIdentity?> packages, string owner)
    {
        var editor = EditorFor(reader);
        var servers = Read(reader, file, content, scope, project, out var problem, editor);
        if (problem is not null) return new InstrumentedFile(file, content, content, [], problem);
        var plans = new List<KeyLogPlan>();
        var current = content;
        foreach (var server in servers)
        {
            var env = editor.Env(current, server.ConfigPath);
            var plan = planner.Plan(server, packages(server), env, owner);
            if (plan.Changes)
            {
                var next = editor.Set(current, server.ConfigPath, plan.Set, out var why);
                why ??= next is null ? "the file could not be edited" : Verify(reader, editor, file, scope, project, servers, server, env, plan, next);
                if (why is null) current = next!;
                else plan = plan with { Set = [], Reason = "not edited: " + why };
            }
            plans.Add(plan);
        }
        return new InstrumentedFile(file, content, current, plans, null);
    }

    /// <summary>Null when <paramref name="next"/> parses, holds the planned values and is otherwise the same config.</summary>
    private static string? Verify(IMcpConfigReader reader, IConfigEnvEditor editor, string file, string scope, string? project,
        List<ConfiguredServer> before, ConfiguredServer server, IReadOnlyDictionary<string, string?> oldEnv, KeyLogPlan plan, byte[] next)
    {
        var after = Read(reader, file, next, scope, project, out var problem, editor);
        if (problem is not null) return "the edited file would not parse (" + problem.Message + ")";
        var newEnv = editor.Env(next, server.ConfigPath);
        foreach (var (k, v) in plan.Set)
            if (!newEnv.TryGetValue(k, out var got) || got != v) return $"{k} would not read back as planned";
        foreach (var (k, v) in oldEnv)
            if (!plan.Set.Any(s => s.Key == k) && (!newEnv.TryGetValue(k, out var got) || got != v)) return $"{k} would change";
        if (after.Count != before.Count) return "the edit would change the servers the file defines";
        for (int i = 0; i < after.Count; i++)
        {
            var (a, b) = (after[i], before[i]);
            if (a.Name != b.Name || a.Command != b.Command || a.Url != b.Url || !a.Args.SequenceEqual(b.Args) || a.Disabled != b.Disabled
                || !a.ConfigPath.SequenceEqual(b.ConfigPath))
                return "the edit would change the servers the file defines";
        }
        return null;
    }

    private static List<ConfiguredServer> Read(IMcpConfigReader reader, string file, byte[] content, string scope, string? project,
        out ConfigProblem? problem, IConfigEnvEditor editor)
    {
        problem = editor.Check(file, content);
        if (problem is not null) return [];
        var output = new ConfigReadOutput();
        try { reader.Read(file, content, scope, project, output); }
        catch (Exception e) { output.Problems.Add(new ConfigProblem(file, 0, 0, $"cannot read: {e.GetType().Name}: {e.Message}")); }
        problem = output.Problems.FirstOrDefault();
        return output.Servers;
    }

    /// <summary>Writes <paramref name="result"/> (after a backup of what was there). Null when done, else why not.</summary>
    public static string? Apply(InstrumentedFile result)
    {
        if (!result.Changes) return null;
        if (new FileInfo(result.File).LinkTarget is not null) return "a symbolic link: not replaced (instrument the file it points to)";
        if (!LibC.TryStat(result.File, out var st)) return "cannot stat the file";
        var now = File.ReadAllBytes(result.File);
        if (!now.AsSpan().SequenceEqual(result.Before)) return "changed while being instrumented: run again";
        string backup = result.File + BackupSuffix;
        WriteAtomic(backup, result.Before, st);
        WriteAtomic(result.File, result.After, st);
        foreach (var plan in result.Plans.Where(p => p.Runtime == KeyLogRuntime.Python && p.KeyLogFile is not null))
            PrepareKeyLogFile(plan.KeyLogFile!, st.Uid);
        return null;
    }

    /// <summary>
    /// Puts the backup back when the file is exactly what instrumenting the backup gives (nothing edited since), byte
    /// for byte, and deletes the backup. Null when done or there is nothing to revert, else why not.
    /// </summary>
    public string? Revert(string file, IMcpConfigReader reader, string scope, string? project, Func<ConfiguredServer, SenderIdentity?> packages,
        out bool reverted)
    {
        reverted = false;
        string backup = file + BackupSuffix;
        if (!File.Exists(backup)) return null;
        if (new FileInfo(file).LinkTarget is not null || new FileInfo(backup).LinkTarget is not null) return "a symbolic link: not replaced";
        if (!LibC.TryStat(file, out var st)) return "cannot stat the file";
        var current = File.ReadAllBytes(file);
        var saved = File.ReadAllBytes(backup);
        // Instrument the backup with the preload and folder the current file names (whatever --preload / --keylog-dir say now).
        var expected = WithSettingsOf(reader, current).Instrument(reader, file, saved, scope, project, packages, OwnerName(file));
        if (!expected.After.AsSpan().SequenceEqual(current))
            return $"changed since --apply: not reverted (the file before --apply is {backup}; remove {KeyLogPlanner.NodeKeyLog}, " +
                $"{KeyLogPlanner.NodeKeyLogMode}, {KeyLogPlanner.PythonKeyLog} and the --require of {KeyLogs.KeyLogDefaults.PreloadFileName} by hand)";
        WriteAtomic(file, saved, st);
        File.Delete(backup);
        reverted = true;
        return null;
    }

    private ConfigInstrumenter WithSettingsOf(IMcpConfigReader reader, byte[] content)
    {
        var editor = EditorFor(reader);
        var output = new ConfigReadOutput();
        try { reader.Read("", content, "user", null, output); } catch (Exception) { return this; }
        string? dir = null, preload = null;
        foreach (var s in output.Servers)
        {
            var env = editor.Env(content, s.ConfigPath);
            if ((env.GetValueOrDefault(KeyLogPlanner.NodeKeyLog) ?? env.GetValueOrDefault(KeyLogPlanner.PythonKeyLog)) is { } f) dir ??= Path.GetDirectoryName(f);
            if (env.GetValueOrDefault(KeyLogPlanner.NodeOptions) is { } o) preload ??= KeyLogPlanner.PreloadIn(o);
        }
        return dir is null && preload is null ? this
            : new ConfigInstrumenter(new KeyLogPlanner(preload ?? planner.Preload, dir ?? planner.KeyLogDirectory), _users);
    }

    /// <summary>
    /// Temp file beside <paramref name="path"/> (created exclusively: no symlink followed), owner and mode of
    /// <paramref name="like"/>, fsync, rename over <paramref name="path"/>.
    /// </summary>
    public static void WriteAtomic(string path, byte[] content, FileStatus like)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string tmp = Path.Combine(dir, "." + Path.GetFileName(path) + ".mcp-egress-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) + ".tmp");
        try
        {
            using (var fs = CreateNew(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite))
            {
                var h = fs.SafeFileHandle;
                RandomAccess.Write(h, content, 0);
                if ((like.Uid != LibC.EffectiveUid || like.Gid != LibC.EffectiveGid) && !LibC.TryChown(h, like.Uid, like.Gid))
                    throw new UnauthorizedAccessException($"cannot give {path} its owner back (uid {like.Uid}, gid {like.Gid})");
                File.SetUnixFileMode(h, (UnixFileMode)(like.Mode & 0xFFF));
                RandomAccess.FlushToDisk(h);
            }
            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw;
        }
    }

    // O_CREAT|O_EXCL: fails on an existing path, symlinks included.
    private static FileStream CreateNew(string path, UnixFileMode mode) =>
        new(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = mode });

    /// <summary>
    /// Python creates SSLKEYLOGFILE with the process umask (often 0644): create it first, mode 0640 (group: the key-log
    /// directory's setgid group, the daemon's), owned by the config file's owner. Only when the directory exists.
    /// </summary>
    private static void PrepareKeyLogFile(string file, uint owner)
    {
        try
        {
            if (!Directory.Exists(Path.GetDirectoryName(file)) || File.Exists(file)) return;
            using var fs = CreateNew(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
            var h = fs.SafeFileHandle;
            if (owner != LibC.EffectiveUid) LibC.TryChown(h, owner, uint.MaxValue);
            File.SetUnixFileMode(h, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
