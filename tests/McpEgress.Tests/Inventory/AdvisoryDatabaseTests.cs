using McpEgress.Attribution;
using McpEgress.Inventory.Advisories;
using McpEgress.Tests.Cli;

namespace McpEgress.Tests.Inventory;

/// <summary>OSV matching: SEMVER ranges (introduced/fixed/last_affected), exact version lists, withdrawn records, PyPI names.</summary>
public sealed class AdvisoryDatabaseTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcp-egress-osv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SenderIdentity Npm(string name, string? version) => new(SenderKind.Npm, name, version);

    [Theory]
    [InlineData("1.0.15", false)]
    [InlineData("1.0.16", true)]
    [InlineData("1.0.18", true)]
    [InlineData("1.1.0-beta.1", true)]
    [InlineData("2.0.0", true)]
    public void BuiltIn_PostmarkMcp_FromIntroduced(string version, bool affected)
    {
        var m = AdvisoryDatabase.BuiltIn().Match(Npm("postmark-mcp", version));
        Assert.Equal(affected, m.Count == 1);
        if (affected)
        {
            Assert.Equal("MAL-2025-47604", m[0].Id);
            Assert.True(m[0].Malicious);
            Assert.Equal("range", m[0].MatchedBy);
        }
    }

    [Fact]
    public void BuiltIn_OtherPackagesAndEcosystems_DoNotMatch()
    {
        var db = AdvisoryDatabase.BuiltIn();
        Assert.Empty(db.Match(Npm("postmark", "1.0.16")));
        Assert.Empty(db.Match(new SenderIdentity(SenderKind.PyPI, "postmark-mcp", "1.0.16")));
        Assert.Empty(db.Match(SenderIdentity.Executable("/usr/bin/postmark-mcp")));
    }

    [Theory]
    [InlineData("1.9.9", null)]
    [InlineData("2.0.0", "range")]
    [InlineData("2.4.9", "range")]
    [InlineData("2.5.0", null)]       // fixed
    [InlineData("3.0.0", "range")]    // introduced again
    [InlineData("3.2.0", "range")]    // last_affected is inclusive
    [InlineData("3.2.1", null)]
    [InlineData("0.3.7", "version")]  // listed exactly
    [InlineData("2.10.0", null)]      // semver order, not string order ("2.10.0" > "2.5.0")
    public void Ranges_AndExactVersions(string version, string? expected)
    {
        File.WriteAllText(Path.Combine(_dir, "GHSA-test.json"), """
        {
          "id": "GHSA-xxxx-yyyy-zzzz",
          "summary": "test",
          "affected": [
            {
              "package": { "ecosystem": "npm", "name": "@acme/mcp-mail" },
              "ranges": [
                { "type": "SEMVER", "events": [ { "introduced": "2.0.0" }, { "fixed": "2.5.0" } ] },
                { "type": "SEMVER", "events": [ { "introduced": "3.0.0" }, { "last_affected": "3.2.0" } ] },
                { "type": "GIT", "repo": "https://example.com/r", "events": [ { "introduced": "0" } ] }
              ],
              "versions": [ "0.3.7" ]
            }
          ]
        }
        """);
        var db = new AdvisoryDatabase();
        db.AddDirectory(_dir);
        Assert.Empty(db.Problems);
        var m = db.Match(Npm("@acme/mcp-mail", version));
        Assert.Equal(expected, m.SingleOrDefault()?.MatchedBy);
    }

    [Fact]
    public void IntroducedZero_MatchesEveryVersion_EvenUnknown_AndWithdrawnIsIgnored()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "osv", "malicious", "npm", "evil"));
        File.WriteAllText(Path.Combine(_dir, "osv", "malicious", "npm", "evil", "MAL-2025-1.json"),
            """{"id":"MAL-2025-1","affected":[{"package":{"ecosystem":"npm","name":"evil"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}""");
        File.WriteAllText(Path.Combine(_dir, "withdrawn.json"),
            """{"id":"MAL-2025-2","withdrawn":"2025-10-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"fine"},"versions":["1.0.0"]}]}""");
        var db = new AdvisoryDatabase();
        db.AddDirectory(_dir);
        Assert.Equal("all-versions", Assert.Single(db.Match(Npm("evil", null))).MatchedBy);
        Assert.Single(db.Match(Npm("evil", "9.9.9")));
        Assert.Empty(db.Match(Npm("fine", "1.0.0")));
    }

    [Fact]
    public void PyPI_NamesCompareNormalized_AndEcosystemRangesUseVersionOrder()
    {
        File.WriteAllText(Path.Combine(_dir, "PYSEC.json"),
            """{"id":"PYSEC-2025-9","affected":[{"package":{"ecosystem":"PyPI","name":"MCP_Server.Fetch"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2025.4.7"}]}]}]}""");
        var db = new AdvisoryDatabase();
        db.AddDirectory(_dir);
        Assert.Single(db.Match(new SenderIdentity(SenderKind.PyPI, "mcp-server-fetch", "2025.1.14")));
        Assert.Empty(db.Match(new SenderIdentity(SenderKind.PyPI, "mcp-server-fetch", "2025.4.7")));
    }

    [Fact]
    public void MalformedAdvisory_IsAProblemAtItsLine()
    {
        var path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, "{\n  \"id\": \"X-1\",\n  \"affected\": {}\n}");
        var db = new AdvisoryDatabase();
        db.AddDirectory(_dir);
        var p = Assert.Single(db.Problems);
        Assert.Equal(path, p.File);
        Assert.Equal(3, p.Line);
        Assert.Contains("affected: expected an array", p.Message);
    }

    [Fact]
    public void Cli_AdvisoriesFolder_MatchesConfiguredServer()
    {
        using var home = new FakeHome();
        File.WriteAllText(Path.Combine(_dir, "MAL-db.json"),
            """{"id":"MAL-2099-1","summary":"Malicious code in db-mcp (npm)","affected":[{"package":{"ecosystem":"npm","name":"db-mcp"},"versions":["2.1.0"]}]}""");
        var (code, stdout, stderr) = CliRunner.Run("inventory", "--home", home.Root, "--advisories", _dir, "--json", "--no-processes");
        Assert.True(code == 0, stderr);
        Assert.Contains("MAL-2099-1", stdout);
        Assert.Contains("MAL-2025-47604", stdout);
    }
}
