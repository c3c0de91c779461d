using System.CommandLine;
using System.Text.Json;
using McpEgress.Inventory;
using McpEgress.Inventory.Advisories;
using McpEgress.Inventory.Instrument;
using McpEgress.KeyLogs;
using Spectre.Console;

namespace McpEgress.Cli;

/// <summary>
/// <c>mcp-egress inventory [--home DIR] [--advisories DIR]... [--json] [--no-processes] [--config F] [--state F [--since 24h|ISO] [--all-senders]] [--instrument [--apply|--revert] [--preload F] [--keylog-dir D]]</c>: every MCP server this host
/// is configured to run and every one running, with its package@version and matching advisories, as a table or a JSON
/// array (one object per server); <c>--instrument</c>: see <see cref="InstrumentCommand"/>. Exit 0; 2 when a config or advisory file could not be read (each reported on stderr
/// as file:line:col: what; the rest is still listed); 1 for a bad command line.
/// </summary>
internal static class InventoryCommand
{
    public static Command Create()
    {
        var home = new Option<string?>("--home") { Description = "read this home folder's MCP client configs only (default: every /home/* and /root as root, else your own)" };
        var advisories = new Option<string[]>("--advisories")
        {
            Description = "folder of OSV advisory records (*.json, e.g. the OpenSSF malicious-packages osv/ folder); repeatable; the built-in set is always used",
            AllowMultipleArgumentsPerToken = false,
        };
        var json = new Option<bool>("--json") { Description = "print a JSON array, one object per server, instead of a table" };
        var noProcesses = new Option<bool>("--no-processes") { Description = "list configured servers only; do not look for running ones" };
        var instrument = new Option<bool>("--instrument")
        {
            Description = "print, per stdio server, the config change that makes it write TLS key logs where watch reads them, as a unified diff of its config file",
        };
        var apply = new Option<bool>("--apply") { Description = "with --instrument: write the changes (backup FILE" + ConfigInstrumenter.BackupSuffix + ", atomic, owner and mode kept)" };
        var revert = new Option<bool>("--revert") { Description = "with --instrument: put back each config file --apply changed, byte for byte, and remove its backup" };
        var preload = new Option<string>("--preload")
        {
            Description = $"the Node key-log preload servers load (default {KeyLogDefaults.Preload})", DefaultValueFactory = _ => KeyLogDefaults.Preload,
        };
        var keylogDir = new Option<string>("--keylog-dir")
        {
            Description = $"folder the servers write key logs into; watch follows its *.keys (default {KeyLogDefaults.Directory}, watch's default too)",
            DefaultValueFactory = _ => KeyLogDefaults.Directory,
        };
        var state = new Option<string?>("--state")
        {
            Description = "state database (watch's, default state.path of --config): record this scan in it (servers, versions, advisory matches) and print each server's destinations (per-server egress)",
        };
        var since = new Option<string?>("--since") { Description = "with --state: only destinations last seen within a duration (24h, 7d, 30m) or since an ISO 8601 time" };
        var allSenders = new Option<bool>("--all-senders") { Description = "with --state: also list the destinations of attributed processes that are no MCP server" };
        var config = new Option<string?>("--config", "-c") { Description = "config file (watch's): state.path, inventory.advisories, inventory.homes, inventory.processes" };
        var command = new Command("inventory", "List the MCP servers this host is configured to run and those running, with their packages, advisories and (with --state) destinations.")
        {
            home, advisories, json, noProcesses, instrument, apply, revert, preload, keylogDir, state, since, allSenders, config,
        };
        command.SetAction(parse =>
        {
            bool doApply = parse.GetValue(apply), doRevert = parse.GetValue(revert);
            if (parse.GetValue(instrument) || doApply || doRevert)
                return InstrumentCommand.Run(parse.GetValue(home), parse.GetValue(advisories) ?? [], doApply, doRevert, parse.GetValue(json),
                    parse.GetValue(preload)!, parse.GetValue(keylogDir)!);
            return Run(parse.GetValue(home), parse.GetValue(advisories) ?? [], parse.GetValue(json), parse.GetValue(noProcesses), parse.GetValue(state),
                parse.GetValue(since), parse.GetValue(allSenders), parse.GetValue(config));
        });
        return command;
    }

    private static int Run(string? home, string[] advisoryDirs, bool json, bool noProcesses, string? statePath, string? since, bool allSenders,
        string? configPath)
    {
        if (!CliConfig.TryLoad(configPath, out var config)) return ExitCodes.Config;
        statePath ??= config.State.Path;
        long sinceNs = 0;
        if (since is not null)
        {
            if (statePath is null)
            {
                Console.Error.WriteLine("mcp-egress: --since needs a state database (--state FILE, or state.path in --config)");
                return ExitCodes.Usage;
            }
            if (!McpEgress.State.EgressHistory.TryParseSince(since, DateTimeOffset.UtcNow, out sinceNs))
            {
                Console.Error.WriteLine($"mcp-egress: --since '{since}': expected a duration (24h, 7d, 30m) or an ISO 8601 time (2026-01-31T08:00:00Z)");
                return ExitCodes.Usage;
            }
        }
        if (home is not null && !Directory.Exists(home))
        {
            Console.Error.WriteLine($"mcp-egress: --home {home}: not a folder");
            return ExitCodes.Usage;
        }
        var db = AdvisoryDatabase.BuiltIn();
        foreach (var dir in advisoryDirs.Concat(configPath is null ? [] : config.Inventory.Advisories).Distinct(StringComparer.Ordinal)) db.AddDirectory(dir);
        var inventory = new McpInventory(new InventoryOptions
        {
            Homes = home is not null ? [home] : configPath is not null ? config.Inventory.Homes : null,
            ScanProcesses = !noProcesses && (configPath is null || config.Inventory.ScanProcesses),
        }, db);
        var result = inventory.Scan();

        EgressReport? egress = statePath is null ? null : EgressReport.Record(statePath, config.State, result, sinceNs, allSenders);
        if (json) WriteJson(Console.OpenStandardOutput(), result.Servers, egress);
        else
        {
            WriteTable(result);
            egress?.WriteTable(Console.Out, since);
        }
        foreach (var p in result.Problems) Console.Error.WriteLine($"mcp-egress: {p}");
        return result.Problems.Count == 0 ? ExitCodes.Success : ExitCodes.Config;
    }

    private static void WriteTable(InventoryResult result)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected) console.Profile.Width = 400; // a file or pipe: don't wrap cells at 80 columns
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Server").AddColumn("Client").AddColumn("Transport").AddColumn("Package").AddColumn("Running").AddColumn("Advisory").AddColumn("Config");
        foreach (var r in result.Servers)
        {
            string package = Markup.Escape(r.Package?.ToString() ?? "unresolved")
                + (r.Unresolved is null ? "" : $"\n[grey]{Markup.Escape(Cut(r.Unresolved, 80))}[/]");
            string running = r.Running.Count == 0 ? "-"
                : Markup.Escape(string.Join("\n", r.Running.Select(p => $"pid {p.Pid}" + (p.UserName is null ? "" : $" {p.UserName}"))));
            string advisory = r.Advisories.Count == 0 ? "-" : "[red]" + Markup.Escape(string.Join(", ", r.Advisories.Select(a => a.Id))) + "[/]";
            string config = r.Configured is { } c
                ? Markup.Escape(c.ConfigFile) + (c.Scope == "local" && c.Project is not null ? $"\n[grey]project {Markup.Escape(c.Project)}[/]" : "")
                : "-";
            table.AddRow(Markup.Escape(r.Name) + (r.Configured?.Disabled == true ? " [grey](disabled)[/]" : ""), Markup.Escape(r.Client),
                Transport(r.Transport), package, running, advisory, config);
        }
        console.Write(table);
        console.WriteLine($"{result.Servers.Count} MCP servers ({result.Servers.Count(s => s.IsConfigured)} configured, {result.Servers.Count(s => s.IsRunning)} running, {result.Servers.Count(s => s.Advisories.Count > 0)} with advisories) in {string.Join(", ", result.HomesScanned)}");
    }

    /// <summary>
    /// One JSON object per server, ECS-style nested names: <c>mcp_egress.mcp_server.*</c> for the server,
    /// <c>package.*</c> (ECS package fields), <c>vulnerability.id</c> for advisories, and per running process
    /// <c>process.*</c> / <c>user.*</c>. Absent values are omitted. Env vars appear by name only. With a state
    /// database: each server's <c>destinations</c>, each advisory's <c>first_matched</c>, and one object more per
    /// server (or, with --all-senders, other sender) seen only in traffic.
    /// </summary>
    internal static void WriteJson(Stream stream, IReadOnlyList<McpServerRecord> servers, EgressReport? egress = null)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var now = DateTimeOffset.UtcNow;
        w.WriteStartArray();
        foreach (var r in servers)
        {
            w.WriteStartObject();
            w.WriteStartObject("mcp_egress");
            w.WriteStartObject("mcp_server");
            w.WriteString("name", r.Name);
            w.WriteString("client", r.Client);
            w.WriteString("transport", Transport(r.Transport));
            w.WriteStartArray("state");
            if (r.IsConfigured) w.WriteStringValue("configured");
            if (r.IsRunning) w.WriteStringValue("running");
            w.WriteEndArray();
            if (r.Configured is { } c)
            {
                w.WriteString("config_file", c.ConfigFile);
                w.WriteString("scope", c.Scope);
                if (c.Project is not null) w.WriteString("project", c.Project);
                if (c.Command is not null) w.WriteString("command", c.Command);
                if (c.Args.Count > 0) { w.WriteStartArray("args"); foreach (var a in c.Args) w.WriteStringValue(a); w.WriteEndArray(); }
                if (c.Url is not null) w.WriteString("url", c.Url);
                if (c.EnvNames.Count > 0) { w.WriteStartArray("env_names"); foreach (var n in c.EnvNames) w.WriteStringValue(n); w.WriteEndArray(); }
                if (c.Disabled) w.WriteBoolean("disabled", true);
            }
            if (r.Unresolved is not null) w.WriteString("unresolved", r.Unresolved);
            if (r.Advisories.Count > 0)
            {
                w.WriteStartArray("advisories");
                foreach (var a in r.Advisories)
                {
                    w.WriteStartObject();
                    w.WriteString("id", a.Id);
                    if (a.Summary is not null) w.WriteString("summary", a.Summary);
                    w.WriteString("matched_by", a.MatchedBy);
                    w.WriteBoolean("malicious", a.Malicious);
                    if (egress?.FirstMatched(r.Client, r.Name, a.Id) is { } first) w.WriteString("first_matched", EgressReport.Time(first));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (r.Running.Count > 0)
            {
                w.WriteStartArray("running");
                foreach (var p in r.Running)
                {
                    w.WriteStartObject();
                    w.WriteStartObject("process");
                    w.WriteNumber("pid", p.Pid);
                    if (p.Executable is not null) w.WriteString("executable", p.Executable);
                    if (p.CommandLine is not null) w.WriteString("command_line", p.CommandLine);
                    if (p.StartedAt is { } start)
                    {
                        w.WriteString("start", start.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
                        w.WriteNumber("uptime", Math.Max(0, (long)(now - start).TotalSeconds));
                    }
                    if (p.ClientPid is int cp)
                    {
                        w.WriteStartObject("parent");
                        w.WriteNumber("pid", cp);
                        if (p.ClientIdentity is { } ci) w.WriteString("name", ci.IsPackage ? ci.ToString() : Path.GetFileName(ci.Name));
                        w.WriteEndObject();
                    }
                    w.WriteEndObject();
                    if (p.Uid is not null || p.UserName is not null)
                    {
                        w.WriteStartObject("user");
                        if (p.Uid is uint uid) w.WriteString("id", uid.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        if (p.UserName is not null) w.WriteString("name", p.UserName);
                        w.WriteEndObject();
                    }
                    w.WriteStartObject("package");
                    w.WriteString("name", p.Identity.Name);
                    if (p.Identity.Version is not null) w.WriteString("version", p.Identity.Version);
                    w.WriteString("type", p.Identity.TypeName);
                    w.WriteEndObject();
                    w.WriteString("reason", p.Reason);
                    if (p.ClientId is not null) w.WriteString("client", p.ClientId);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            egress?.WriteDestinations(w, r.Client, r.Name);
            w.WriteEndObject(); // mcp_server
            w.WriteEndObject(); // mcp_egress
            if (r.Package is { } pkg)
            {
                w.WriteStartObject("package");
                w.WriteString("name", pkg.Name);
                if (pkg.Version is not null) w.WriteString("version", pkg.Version);
                w.WriteString("type", pkg.TypeName);
                w.WriteEndObject();
            }
            if (r.Advisories.Count > 0)
            {
                w.WriteStartObject("vulnerability");
                w.WriteStartArray("id");
                foreach (var a in r.Advisories) w.WriteStringValue(a.Id);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        egress?.WriteOthers(w, servers);
        w.WriteEndArray();
        w.Flush();
        stream.Write("\n"u8);
        stream.Flush();
    }

    internal static string Transport(McpTransport t) => t switch
    {
        McpTransport.Stdio => "stdio",
        McpTransport.Http => "http",
        McpTransport.Sse => "sse",
        _ => "unknown",
    };

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
