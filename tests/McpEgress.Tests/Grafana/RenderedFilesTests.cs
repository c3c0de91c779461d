namespace McpEgress.Tests.Grafana;

/// <summary>
/// Runbook links, the job variable and units are rendered from grafana/runbooks.json by grafana/tools/render.py: the
/// committed rules and dashboards must be exactly what it renders, and the dashboards must carry what it promises.
/// </summary>
public sealed class RenderedFilesTests
{
    [Fact]
    public void CommittedFilesAreRendered()
    {
        var r = ExternalTool.Run("python3", "Debian: apt-get install python3", GrafanaFiles.RepoRoot(), TimeSpan.FromMinutes(1),
            "grafana/tools/render.py", "--check");
        Assert.True(r.ExitCode == 0, r.Output);
    }

    [Fact]
    public void DashboardsLinkRunbooksHaveAJobVariableAndNoRequestUnits()
    {
        foreach (var path in GrafanaFiles.Dashboards())
        {
            var d = GrafanaFiles.Json(path);
            var vars = d.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => v.GetProperty("name").GetString()).ToList();
            Assert.True(vars.IndexOf("job") >= 0 && vars.IndexOf("job") < vars.IndexOf("instance"), path + ": job variable before instance");
            int runbookLinks = 0;
            foreach (var p in d.GetProperty("panels").EnumerateArray())
            {
                string title = p.GetProperty("title").GetString()!;
                if (p.TryGetProperty("fieldConfig", out var fc) && fc.GetProperty("defaults").TryGetProperty("unit", out var unit))
                    Assert.NotEqual("reqps", unit.GetString());
                if (p.TryGetProperty("links", out var links))
                    foreach (var l in links.EnumerateArray())
                        if (l.GetProperty("title").GetString()!.StartsWith("Runbook", StringComparison.Ordinal))
                        {
                            Assert.StartsWith(GrafanaFiles.RunbookBaseUrl + "#runbook-", l.GetProperty("url").GetString(), StringComparison.Ordinal);
                            runbookLinks++;
                        }
                foreach (var t in p.TryGetProperty("targets", out var ts) ? ts.EnumerateArray() : default)
                {
                    var expr = t.TryGetProperty("expr", out var e) ? e.GetString()! : "";
                    if (expr.Contains("$instance", StringComparison.Ordinal))
                        Assert.True(expr.Contains("job=~\"$job\"", StringComparison.Ordinal), $"{title}: {expr} ignores $job");
                    if (expr.Contains("last_message_timestamp", StringComparison.Ordinal))
                        Assert.Contains("> 0)", expr); // no "56 years" before the first message
                }
            }
            Assert.True(runbookLinks >= 5, path + " links its panels to their runbooks");
        }
    }
}
