using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using McpEgress.Export.Prometheus;
using McpEgress.Mail;

namespace McpEgress.Tests.Prometheus;

/// <summary>
/// End to end: a real Prometheus server scrapes our <see cref="MetricsServer"/> every second, and its query API must
/// return the value we set. Proves the exposition is accepted by Prometheus's own parser, not only by promtool's lint.
/// </summary>
public class PrometheusScrapeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PrometheusScrapesOurEndpoint_AndQueryReturnsTheValue()
    {
        string prometheus = ExternalTool.Require("prometheus");
        var metrics = EgressMetricsTests.FullyPopulated(); // one SMTP message, one Postmark message
        for (int i = 0; i < 5; i++)
            metrics.OnMessage(new MailMessage { Transport = MailTransport.Smtp }, [], null);
        using var server = new MetricsServer(metrics.Registry, () => true, new MetricsServerOptions { Port = 0 });
        server.Start();

        string dir = Path.Combine(Path.GetTempPath(), "mcp-egress-prom-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        int webPort = FreePort();
        string config = Path.Combine(dir, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: mcp_egress
                static_configs:
                  - targets: ['{server.LocalEndPoint}']
            """);

        var psi = new ProcessStartInfo(prometheus)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir, "data")}", $"--web.listen-address=127.0.0.1:{webPort}" })
            psi.ArgumentList.Add(a);
        var log = new StringBuilder();
        using var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            string query = $"http://127.0.0.1:{webPort}/api/v1/query?query=mcp_egress_messages_total";
            var stopwatch = Stopwatch.StartNew();
            string? smtpValue = null, postmarkValue = null, lastBody = null;
            while (stopwatch.Elapsed < Deadline && smtpValue is null)
            {
                Assert.False(process.HasExited, $"prometheus exited early ({SafeExitCode(process)}):\n{Log(log)}");
                await Task.Delay(500);
                try
                {
                    lastBody = await http.GetStringAsync(query);
                }
                catch (HttpRequestException) { continue; } // not listening yet
                catch (TaskCanceledException) { continue; }
                (smtpValue, postmarkValue) = (Find(lastBody, "smtp", "none"), Find(lastBody, "http", "postmark"));
            }

            Assert.True(smtpValue is not null, $"no scrape within {Deadline.TotalSeconds} s; last answer: {lastBody}\nprometheus log:\n{Log(log)}");
            Assert.Equal("6", smtpValue);
            Assert.Equal("1", postmarkValue);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The value of mcp_egress_messages_total{transport,provider} in a query API answer, or null.</summary>
    private static string? Find(string body, string transport, string provider)
    {
        using var doc = JsonDocument.Parse(body);
        if (doc.RootElement.GetProperty("status").GetString() != "success") return null;
        foreach (var r in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var m = r.GetProperty("metric");
            if (m.TryGetProperty("transport", out var t) && t.GetString() == transport
                && m.TryGetProperty("provider", out var p) && p.GetString() == provider)
                return r.GetProperty("value")[1].GetString(); // [ <unix time>, "<value>" ]
        }
        return null;
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static string SafeExitCode(Process p) => p.HasExited ? "exit " + p.ExitCode : "running";

    private static string Log(StringBuilder log)
    {
        lock (log) return log.Length > 4000 ? log.ToString()[^4000..] : log.ToString();
    }
}
