using System.Text.Json;
using McpEgress.Inventory;
using McpEgress.Inventory.Instrument;
using McpEgress.KeyLogs;
using McpEgress.Native;
using McpEgress.Tests.Cli;

namespace McpEgress.Tests.Inventory;

/// <summary><c>inventory --instrument [--apply|--revert]</c> on copies of every client fixture (<see cref="FakeHome"/>).</summary>
public sealed class InstrumentTests : IDisposable
{
    private readonly FakeHome _home = new();
    private string KeyDir => Path.Combine(_home.Root, "keys");
    private const string Preload = "/usr/lib/mcp-egress/" + KeyLogDefaults.PreloadFileName;

    public void Dispose() => _home.Dispose();

    private (int Exit, string Out, string Err) Cli(params string[] extra) =>
        CliRunner.Run(["inventory", "--home", _home.Root, "--keylog-dir", KeyDir, .. extra]);

    /// <summary>Every config file of the fake home (not the installed packages) and its bytes.</summary>
    private Dictionary<string, byte[]> Configs() =>
        Directory.EnumerateFiles(_home.Root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(f => !f.Contains("/.npm/") && !f.Contains("/.local/") && !f.Contains("/tools/"))
            .ToDictionary(f => f, File.ReadAllBytes);

    private static JsonElement Env(string file, params string[] path)
    {
        var e = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }).RootElement;
        foreach (var p in path) e = e.GetProperty(p);
        return e.GetProperty("env");
    }

    [Fact]
    public void ApplyThenRevert_EveryFixture_ByteIdentical_AndApplyIsIdempotent()
    {
        var before = Configs();
        var dry = Cli("--instrument");
        Assert.True(dry.Exit == 0, dry.Err);
        Assert.Equal(before.Keys.Order(), Configs().Keys.Order()); // printing writes nothing
        Assert.All(before, kv => Assert.Equal(kv.Value, File.ReadAllBytes(kv.Key)));
        Assert.Contains("--- " + Path.Combine(_home.Root, ".config/Claude/claude_desktop_config.json"), dry.Out);
        Assert.Contains("\n@@ -", dry.Out);
        Assert.Contains(dry.Out.Split('\n'), l => l.StartsWith('+') && l.Contains("\"MCP_EGRESS_KEYLOG\"") && l.Contains("\"POSTMARK_SERVER_TOKEN\""));
        Assert.Contains("not instrumented: remote server", dry.Out);
        Assert.Contains("vscode/gh-container", dry.Out);
        Assert.Contains("a container (docker run)", dry.Out);

        var applied = Cli("--instrument", "--apply");
        Assert.True(applied.Exit == 0, applied.Err);
        var after = Configs();
        // Every client's file with a local server changed, each with a backup holding the original bytes.
        string[] changed =
        [
            ".config/Claude/claude_desktop_config.json", ".claude.json", ".cursor/mcp.json", "src/webapp/.cursor/mcp.json",
            ".config/Code/User/mcp.json", ".config/Code/User/settings.json", ".gemini/settings.json", ".codex/config.toml",
        ];
        foreach (var rel in changed)
        {
            var f = Path.Combine(_home.Root, rel);
            Assert.NotEqual(before[f], after[f]);
            Assert.Equal(before[f], after[f + ConfigInstrumenter.BackupSuffix]);
        }
        // Remote-only or container-only files are not touched.
        foreach (var rel in new[] { "src/webapp/.mcp.json", ".codeium/windsurf/mcp_config.json", "src/webapp/.vscode/mcp.json" })
            Assert.Equal(before[Path.Combine(_home.Root, rel)], after[Path.Combine(_home.Root, rel)]);

        // What was written: Node gets the preload and a key-log file in the folder; Python SSLKEYLOGFILE; other values kept.
        var desktop = Path.Combine(_home.Root, ".config/Claude/claude_desktop_config.json");
        var postmark = Env(desktop, "mcpServers", "postmark");
        Assert.Equal("--require " + Preload, postmark.GetProperty("NODE_OPTIONS").GetString());
        Assert.StartsWith(KeyDir + "/", postmark.GetProperty("MCP_EGRESS_KEYLOG").GetString());
        Assert.EndsWith("-claude-desktop-postmark.keys", postmark.GetProperty("MCP_EGRESS_KEYLOG").GetString());
        Assert.Equal("pm-secret-token-value", postmark.GetProperty("POSTMARK_SERVER_TOKEN").GetString());
        Assert.StartsWith(KeyDir + "/", Env(desktop, "mcpServers", "fetch").GetProperty("SSLKEYLOGFILE").GetString());
        Assert.Contains("MCP_EGRESS_KEYLOG", Env(Path.Combine(_home.Root, ".claude.json"), "projects", _home.Project, "mcpServers", "db").ToString());
        var codex = File.ReadAllText(Path.Combine(_home.Root, ".codex/config.toml"));
        Assert.Contains("# MCP servers", codex); // comments kept
        Assert.Contains("env = { \"API_KEY\" = \"value\", NODE_OPTIONS = \"--require " + Preload + "\"", codex);
        Assert.Contains("// global servers", File.ReadAllText(Path.Combine(_home.Root, ".cursor/mcp.json")));
        // The inventory still reads every file, without problems, with the same servers.
        var scan = new McpInventory(new InventoryOptions { Homes = [_home.Root], ScanProcesses = false }).Scan();
        Assert.Empty(scan.Problems);
        Assert.Equal(21, scan.Servers.Count);
        Assert.Contains("NODE_OPTIONS", scan.Servers.Single(s => s.Client == "codex" && s.Name == "docs").Configured!.EnvNames);

        // Applying again changes nothing (not even the backups).
        var again = Cli("--instrument", "--apply");
        Assert.True(again.Exit == 0, again.Err);
        Assert.DoesNotContain("# wrote", again.Out);
        Assert.Contains("already writes key logs", again.Out);
        var afterAgain = Configs();
        Assert.All(after, kv => Assert.Equal(kv.Value, afterAgain[kv.Key]));

        // --revert gives every file back byte for byte and removes the backups.
        var reverted = Cli("--revert");
        Assert.True(reverted.Exit == 0, reverted.Err);
        var end = Configs();
        Assert.Equal(before.Keys.Order(), end.Keys.Order());
        Assert.All(before, kv => Assert.Equal(kv.Value, end[kv.Key]));
    }

    [SkippableFact]
    public void Apply_KeepsOwnerAndMode_OfFileAndBackup()
    {
        Skip.IfNot(LibC.EffectiveUid == 0, "needs root to give the file another owner");
        var f = Path.Combine(_home.Root, ".config/Claude/claude_desktop_config.json");
        Assert.Equal(0, ChildProcessRun("chown", "65534:65534", f));
        File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Assert.True(LibC.TryStat(f, out var st0));
        var applied = Cli("--instrument", "--apply");
        Assert.True(applied.Exit == 0, applied.Err);
        foreach (var path in new[] { f, f + ConfigInstrumenter.BackupSuffix })
        {
            Assert.True(LibC.TryStat(path, out var st));
            Assert.Equal((st0.Uid, st0.Gid, st0.Permissions), (st.Uid, st.Gid, st.Permissions));
        }
        // The owner names the key-log file (users share the folder): uid 65534 is nobody.
        Assert.Contains("-claude-desktop-postmark.keys", Env(f, "mcpServers", "postmark").GetProperty("MCP_EGRESS_KEYLOG").GetString());
        Assert.DoesNotContain("/root-", Env(f, "mcpServers", "postmark").GetProperty("MCP_EGRESS_KEYLOG").GetString());
        Assert.True(Cli("--revert").Exit == 0);
        Assert.True(LibC.TryStat(f, out var st2));
        Assert.Equal((st0.Uid, st0.Gid, st0.Permissions), (st2.Uid, st2.Gid, st2.Permissions));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(f)!, "*.tmp"));
    }

    [Fact]
    public void UnparseableFile_IsNotTouched_Exit2_WithFileLineColumn()
    {
        var bad = _home.Write(".cursor/mcp.json", "{\n  \"mcpServers\": {\n    \"x\": { \"command\": \"npx\" \n  }\n");
        var badBytes = File.ReadAllBytes(bad);
        var r = Cli("--instrument", "--apply");
        Assert.Equal(2, r.Exit);
        Assert.Matches(@"mcp\.json:\d+:\d+: not valid JSON", r.Err);
        Assert.Contains("(not touched)", r.Err);
        Assert.Equal(badBytes, File.ReadAllBytes(bad));
        Assert.False(File.Exists(bad + ConfigInstrumenter.BackupSuffix));
        // The other files were still instrumented.
        Assert.True(File.Exists(Path.Combine(_home.Root, ".codex/config.toml") + ConfigInstrumenter.BackupSuffix));
    }

    [Fact]
    public void Revert_RefusesAFileEditedSinceApply()
    {
        Assert.Equal(0, Cli("--instrument", "--apply").Exit);
        var f = Path.Combine(_home.Root, ".gemini/settings.json");
        File.WriteAllText(f, File.ReadAllText(f).Replace("Dracula", "Light"));
        var r = Cli("--revert");
        Assert.Equal(2, r.Exit);
        Assert.Contains("changed since --apply", r.Err);
        Assert.Contains("Light", File.ReadAllText(f)); // the user's edit is not lost
        Assert.True(File.Exists(f + ConfigInstrumenter.BackupSuffix));
    }

    [Fact]
    public void Planner_NamesWhatCantBeWired()
    {
        var planner = new KeyLogPlanner(Preload, "/run/k");
        var empty = new Dictionary<string, string?>();
        KeyLogPlan Plan(ConfiguredServer s, Dictionary<string, string?>? env = null) => planner.Plan(s, null, env ?? empty, "alice");
        ConfiguredServer S(string? command, params string[] args) => new()
        {
            Client = "cursor", ConfigFile = "/x", Scope = "user", Name = "s", Command = command, Args = args,
            Transport = command is null ? McpTransport.Http : McpTransport.Stdio, Url = command is null ? "https://h/mcp" : null,
        };
        Assert.Contains("remote server", Plan(S(null)).Reason);
        Assert.Contains("container", Plan(S("docker", "run", "-i", "img")).Reason);
        Assert.Contains("not Node.js", Plan(S("bunx", "x")).Reason);
        Assert.Contains("not found", Plan(S("/nonexistent/server-bin")).Reason);
        var node = Plan(S("npx", "-y", "x"));
        Assert.Equal(KeyLogRuntime.Node, node.Runtime);
        Assert.Equal("/run/k/alice-cursor-s.keys", node.KeyLogFile);
        // NODE_OPTIONS kept, preload appended; a quoted path for spaces.
        var withOptions = Plan(S("node", "a.js"), new() { ["NODE_OPTIONS"] = "--max-old-space-size=512" });
        Assert.Equal("--max-old-space-size=512 --require " + Preload, withOptions.Set.Single(v => v.Key == "NODE_OPTIONS").Value);
        Assert.True(Plan(S("node", "a.js"), new() { ["NODE_OPTIONS"] = "--require /opt/x/mcp-egress-keylog.js", ["MCP_EGRESS_KEYLOG"] = "/k/f.keys", ["MCP_EGRESS_KEYLOG_MODE"] = "0600" }).AlreadyInstrumented);
        Assert.Equal(KeyLogRuntime.Python, Plan(S("uvx", "mcp-server-fetch")).Runtime);
        Assert.Equal("SSLKEYLOGFILE", Plan(S("python3", "-m", "x")).Set.Single().Key);
        // A Go binary (build-info marker) and a script's #! line.
        string dir = Directory.CreateTempSubdirectory("mcp-egress-plan-").FullName;
        try
        {
            var go = Path.Combine(dir, "gobin");
            File.WriteAllBytes(go, [0x7F, (byte)'E', (byte)'L', (byte)'F', .. new byte[70_000], 0xFF, .. " Go buildinf:"u8, .. new byte[100]]);
            Assert.Contains("Go binary", Plan(S(go)).Reason);
            var script = Path.Combine(dir, "server");
            File.WriteAllText(script, "#!/usr/bin/env node\nrequire('x');\n");
            Assert.Equal(KeyLogRuntime.Node, Plan(S(script)).Runtime);
        }
        finally { Directory.Delete(dir, true); }
    }

    private static int ChildProcessRun(string file, params string[] args)
    {
        using var p = System.Diagnostics.Process.Start(file, args);
        p.WaitForExit();
        return p.ExitCode;
    }
}
