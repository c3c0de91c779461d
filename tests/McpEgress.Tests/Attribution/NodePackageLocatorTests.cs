using McpEgress.Attribution;

namespace McpEgress.Tests.Attribution;

public class NodePackageLocatorTests
{
    [Theory]
    [InlineData("/usr/bin/node", true)]
    [InlineData("/usr/local/bin/node20", true)]
    [InlineData("/usr/bin/nodejs", true)]
    [InlineData("node", true)]
    [InlineData("/usr/bin/node (deleted)", true)]
    [InlineData("/usr/bin/nodemon", false)]
    [InlineData("/usr/bin/python3", false)]
    [InlineData(null, false)]
    public void IsNode(string? exe, bool expected) => Assert.Equal(expected, NodePackageLocator.IsNode(exe));

    [Theory]
    [InlineData("node server.js", "server.js")]
    [InlineData("node --require /usr/lib/mcp-egress/mcp-egress-keylog.js server.mjs --port 1", "server.mjs")]
    [InlineData("node -r preload.js --no-warnings ./node_modules/.bin/postmark-mcp", "./node_modules/.bin/postmark-mcp")]
    [InlineData("node --import=tsx --max-old-space-size 4096 dist/index.cjs", "dist/index.cjs")]
    [InlineData("node -- -weird.js", "-weird.js")]
    [InlineData("node -e console.log(1)", null)]
    [InlineData("node", null)]
    public void FindScriptArgument(string cmd, string? expected) =>
        Assert.Equal(expected, NodePackageLocator.FindScriptArgument(cmd.Split(' ')));

    [Fact]
    public void Locate_SkipsUnnamedPackageJsonAndFollowsBinSymlink()
    {
        var root = Directory.CreateTempSubdirectory("mcp-egress-pkg-");
        try
        {
            // project/node_modules/evil-postmark-mcp/{package.json, dist/package.json (type only), dist/index.js}
            // project/node_modules/.bin/postmark-mcp -> ../evil-postmark-mcp/dist/index.js
            var pkg = Path.Combine(root.FullName, "project", "node_modules", "evil-postmark-mcp");
            Directory.CreateDirectory(Path.Combine(pkg, "dist"));
            File.WriteAllText(Path.Combine(root.FullName, "project", "package.json"), """{"name":"my-project","version":"0.0.1"}""");
            File.WriteAllText(Path.Combine(pkg, "package.json"), """{"name":"evil-postmark-mcp","version":"1.0.16"}""");
            File.WriteAllText(Path.Combine(pkg, "dist", "package.json"), """{"type":"commonjs"}""");
            File.WriteAllText(Path.Combine(pkg, "dist", "index.js"), "");
            var bin = Path.Combine(root.FullName, "project", "node_modules", ".bin");
            Directory.CreateDirectory(bin);
            File.CreateSymbolicLink(Path.Combine(bin, "postmark-mcp"), "../evil-postmark-mcp/dist/index.js");

            var locator = new NodePackageLocator();
            var (script, name, version) = locator.Locate("node_modules/.bin/postmark-mcp", Path.Combine(root.FullName, "project"));
            Assert.Equal(Path.Combine(pkg, "dist", "index.js"), script);
            Assert.Equal("evil-postmark-mcp", name);
            Assert.Equal("1.0.16", version);

            // Cached by directory; a changed package.json is noticed through its mtime.
            File.WriteAllText(Path.Combine(pkg, "package.json"), """{"name":"evil-postmark-mcp","version":"1.0.17"}""");
            File.SetLastWriteTimeUtc(Path.Combine(pkg, "package.json"), DateTime.UtcNow.AddMinutes(1));
            Assert.Equal("1.0.17", locator.Locate(Path.Combine(pkg, "dist", "index.js"), null).Version);

            // A script in the project itself belongs to the project.
            File.WriteAllText(Path.Combine(root.FullName, "project", "main.js"), "");
            Assert.Equal("my-project", locator.Locate("main.js", Path.Combine(root.FullName, "project")).Name);
        }
        finally { root.Delete(recursive: true); }
    }

    [Fact]
    public void Locate_MissingOrBrokenPackageJson_ReturnsNoPackage()
    {
        var root = Directory.CreateTempSubdirectory("mcp-egress-pkg-");
        try
        {
            var node_modules = Path.Combine(root.FullName, "node_modules", "broken");
            Directory.CreateDirectory(node_modules);
            File.WriteAllText(Path.Combine(node_modules, "package.json"), "{ not json");
            File.WriteAllText(Path.Combine(node_modules, "x.js"), "");
            var (script, name, version) = new NodePackageLocator().Locate(Path.Combine(node_modules, "x.js"), null);
            Assert.NotNull(script);
            Assert.Null(name);   // the walk stops at node_modules instead of climbing into unrelated projects
            Assert.Null(version);
            Assert.Null(new NodePackageLocator().Locate("/nonexistent/dir/x.js", null).Name);
        }
        finally { root.Delete(recursive: true); }
    }
}
