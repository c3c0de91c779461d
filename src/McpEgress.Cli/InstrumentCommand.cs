using System.Text;
using McpEgress.Attribution;
using McpEgress.Inventory;
using McpEgress.Inventory.Advisories;
using McpEgress.Inventory.Instrument;
using McpEgress.KeyLogs;

namespace McpEgress.Cli;

/// <summary>
/// <c>mcp-egress inventory --instrument [--apply | --revert] [--preload FILE] [--keylog-dir DIR] [--home DIR]</c>: for
/// every configured stdio MCP server, the env change that makes it write TLS key logs into the key-log directory
/// (<see cref="KeyLogDefaults.Directory"/>, which <c>watch</c> follows by default): one <c># client/server: ...</c> line
/// per server (what is set, or why it can't be), then a unified diff per config file (<c>patch -p0</c> applies it).
/// <c>--apply</c> writes the files (<see cref="ConfigInstrumenter"/>), <c>--revert</c> puts back what <c>--apply</c>
/// changed. A config file that does not parse is never touched (stderr: file:line:col: what; exit 2).
/// </summary>
internal static class InstrumentCommand
{
    public static int Run(string? home, string[] advisoryDirs, bool apply, bool revert, bool json, string preload, string keyLogDirectory)
    {
        if (apply && revert) return Usage("--apply and --revert exclude each other");
        if (json) return Usage("--instrument prints a diff; --json is for the listing");
        if (!Path.IsPathRooted(preload)) return Usage($"--preload {preload}: needs an absolute path (servers start in other folders)");
        if (!Path.IsPathRooted(keyLogDirectory)) return Usage($"--keylog-dir {keyLogDirectory}: needs an absolute path");
        if (home is not null && !Directory.Exists(home)) return Usage($"--home {home}: not a folder");

        var db = AdvisoryDatabase.BuiltIn();
        foreach (var dir in advisoryDirs) db.AddDirectory(dir);
        var result = new McpInventory(new InventoryOptions { Homes = home is null ? null : [home], ScanProcesses = false }, db).Scan();
        var instrumenter = new ConfigInstrumenter(new KeyLogPlanner(preload, keyLogDirectory));
        var stdout = Console.Out;
        int exit = ExitCodes.Success;
        var broken = result.Problems.Select(p => p.File).ToHashSet(StringComparer.Ordinal);
        foreach (var p in result.Problems)
            Console.Error.WriteLine($"mcp-egress: {p}" + (p.File.EndsWith(".json", StringComparison.Ordinal) || p.File.EndsWith(".toml", StringComparison.Ordinal) ? " (not touched)" : ""));
        if (result.Problems.Count > 0) exit = ExitCodes.Config;

        int changedFiles = 0, wired = 0, already = 0, not = 0;
        var diffs = new StringBuilder();
        foreach (var group in result.Servers.Where(r => r.Configured is not null).GroupBy(r => r.Configured!.ConfigFile))
        {
            string file = group.Key;
            if (broken.Contains(file)) continue;
            var records = group.ToList();
            var reader = McpInventory.Readers.First(r => r.ClientId == records[0].Client);
            var projectEntry = records.FirstOrDefault(r => r.Configured!.Scope == "project");
            string scope = projectEntry is null ? "user" : "project";
            string? project = projectEntry?.Configured!.Project;
            SenderIdentity? Package(ConfiguredServer s) =>
                records.FirstOrDefault(r => r.Configured!.Name == s.Name && r.Configured.ConfigPath.SequenceEqual(s.ConfigPath))?.Package;
            try
            {
                if (revert)
                {
                    var why = instrumenter.Revert(file, reader, scope, project, Package, out bool reverted);
                    if (why is not null) { Console.Error.WriteLine($"mcp-egress: {file}: {why}"); exit = ExitCodes.Config; }
                    else if (reverted) { stdout.WriteLine($"reverted {file} (from {file}{ConfigInstrumenter.BackupSuffix}, now removed)"); changedFiles++; }
                    continue;
                }
                var done = instrumenter.Instrument(reader, file, File.ReadAllBytes(file), scope, project, Package, instrumenter.OwnerName(file));
                if (done.Problem is not null)
                {
                    Console.Error.WriteLine($"mcp-egress: {done.Problem} (not touched)");
                    exit = ExitCodes.Config;
                    continue;
                }
                foreach (var plan in done.Plans)
                {
                    var s = plan.Server;
                    string what = plan.Changes ? $"{Runtime(plan.Runtime)}: set {string.Join(", ", plan.Set.Select(v => v.Key))} -> {plan.KeyLogFile}"
                        : plan.AlreadyInstrumented ? $"{Runtime(plan.Runtime)}: already writes key logs ({plan.KeyLogFile})"
                        : $"not instrumented: {plan.Reason}";
                    stdout.WriteLine($"# {s.Client}/{s.Name} ({file}): {what}");
                    if (plan.Changes) wired++; else if (plan.AlreadyInstrumented) already++; else not++;
                }
                if (!done.Changes) continue;
                changedFiles++;
                diffs.Append(UnifiedDiff.Create(file, Encoding.UTF8.GetString(done.Before), Encoding.UTF8.GetString(done.After)));
                if (apply)
                {
                    var why = ConfigInstrumenter.Apply(done);
                    if (why is null) stdout.WriteLine($"# wrote {file} (backup {file}{ConfigInstrumenter.BackupSuffix})");
                    else { Console.Error.WriteLine($"mcp-egress: {file}: {why}"); exit = ExitCodes.Config; }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"mcp-egress: {file}: {e.Message} (not touched)");
                exit = ExitCodes.Config;
            }
        }
        stdout.Write(diffs.ToString());
        if (revert)
        {
            stdout.WriteLine($"# {changedFiles} config files reverted");
            return exit;
        }
        stdout.WriteLine($"# {wired} servers {(apply ? "now write" : "would write")} key logs into {keyLogDirectory}, {already} already do, {not} can't; "
            + $"{changedFiles} config files {(apply ? "changed" : "to change (--apply writes them)")}; restart the MCP clients to take effect");
        if (wired > 0 && !Directory.Exists(keyLogDirectory))
            stdout.WriteLine($"# note: {keyLogDirectory} does not exist: install src/deploy/mcp-egress.tmpfiles as /usr/lib/tmpfiles.d/mcp-egress.conf and run systemd-tmpfiles --create");
        if (wired > 0 && !File.Exists(preload))
            stdout.WriteLine($"# note: {preload} does not exist: install src/deploy/{KeyLogDefaults.PreloadFileName} there");
        return exit;
    }

    private static string Runtime(KeyLogRuntime r) => r switch
    {
        KeyLogRuntime.Node => "node",
        KeyLogRuntime.Python => "python",
        _ => "-",
    };

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"mcp-egress: {message}");
        return ExitCodes.Usage;
    }
}
