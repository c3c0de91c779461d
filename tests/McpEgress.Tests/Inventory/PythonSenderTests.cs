using McpEgress.Attribution;

namespace McpEgress.Tests.Inventory;

/// <summary>Python processes resolve to their PyPI distribution from *.dist-info/METADATA (fixtures; PyPI is not reachable).</summary>
public sealed class PythonSenderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mcp-egress-py-").FullName;
    private string Site => Path.Combine(_root, "venv", "lib", "python3.11", "site-packages");

    public PythonSenderTests()
    {
        var dist = Path.Combine(Site, "mcp_server_demo-0.3.1.dist-info");
        Directory.CreateDirectory(dist);
        File.WriteAllText(Path.Combine(dist, "METADATA"), "Metadata-Version: 2.1\nName: mcp-server-demo\nVersion: 0.3.1\nRequires-Dist: mcp[cli]>=1.2; python_version >= '3.10'\n\nLong description\nName: not-this\n");
        File.WriteAllText(Path.Combine(dist, "entry_points.txt"), "[console_scripts]\nmcp-server-demo = mcp_server_demo.__main__:main\n");
        File.WriteAllText(Path.Combine(dist, "RECORD"), "mcp_server_demo/__init__.py,,\nmcp_server_demo/__main__.py,,\n");
        Directory.CreateDirectory(Path.Combine(Site, "mcp_server_demo"));
        File.WriteAllText(Path.Combine(Site, "mcp_server_demo", "__init__.py"), "");
        File.WriteAllText(Path.Combine(Site, "mcp_server_demo", "__main__.py"), "import time\nprint('ready', flush=True)\ntime.sleep(60)\n");
        Directory.CreateDirectory(Path.Combine(_root, "venv", "bin"));
        File.WriteAllText(Path.Combine(_root, "venv", "bin", "mcp-server-demo"),
            "import runpy, sys\nsys.path.insert(0, " + System.Text.Json.JsonSerializer.Serialize(Site) + ")\nrunpy.run_module('mcp_server_demo', run_name='__main__')\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("python3 {bin}/mcp-server-demo --port 1")]
    [InlineData("/x/python3.11 -u {site}/mcp_server_demo/__main__.py")]
    [InlineData("{venv}/bin/python -m mcp_server_demo")]
    [InlineData("{venv}/bin/python -Im mcp_server_demo.__main__")]
    public void Resolve_ConsoleScript_SitePackagesScript_Module(string commandLine)
    {
        var argv = commandLine.Replace("{bin}", Path.Combine(_root, "venv", "bin")).Replace("{site}", Site)
            .Replace("{venv}", Path.Combine(_root, "venv")).Split(' ');
        var r = new SenderIdentityResolver().Resolve(argv, "/usr/bin/python3.11");
        Assert.Equal(new SenderIdentity(SenderKind.PyPI, "mcp-server-demo", "0.3.1"), r.Identity);
        Assert.Equal(["mcp"], r.Python!.Requires);
        Assert.Equal("mcp-server-demo@0.3.1", r.Identity.ToString());
    }

    [Fact]
    public void Resolve_PythonC_OrUnknownScript_IsTheExecutable()
    {
        var resolver = new SenderIdentityResolver();
        Assert.Equal(SenderIdentity.Executable("/usr/bin/python3.11"), resolver.Resolve(["python3", "-c", "print(1)"], "/usr/bin/python3.11").Identity);
        Assert.Equal(SenderKind.Executable, resolver.Resolve(["python3", "/nonexistent/x.py"], "/usr/bin/python3.11").Identity.Kind);
    }

    [SkippableFact]
    public void RunningPythonProcess_IsAttributedToItsDistribution()
    {
        var script = Path.Combine(_root, "venv", "bin", "mcp-server-demo");
        var psi = new System.Diagnostics.ProcessStartInfo("python3") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        System.Diagnostics.Process p;
        try { p = System.Diagnostics.Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception) { throw new SkipException("python3 is not installed (Debian: apt-get install python3)"); }
        using var _ = p;
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        var info = new ProcessResolver().Describe(p.Id);
        Assert.NotNull(info);
        Assert.Equal(new SenderIdentity(SenderKind.PyPI, "mcp-server-demo", "0.3.1"), info!.Sender);
        Assert.Equal("mcp-server-demo", info.PackageName);
        Assert.Equal("0.3.1", info.PackageVersion);
        p.Kill();
    }
}
