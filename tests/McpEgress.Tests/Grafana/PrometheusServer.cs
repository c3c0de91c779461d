using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace McpEgress.Tests.Grafana;

/// <summary>
/// A real Prometheus (the Debian `prometheus` package) on a free loopback port with a temporary TSDB, scraping
/// the generated <see cref="MetricsSample"/> (served by an in-process listener) every second as job "mcp-egress". Queries go through
/// /api/v1/query, so Prometheus's own parser judges every expression (a parse error is errorType "bad_data"), and
/// selectors that name a wrong metric or label come back empty. Started once per test class, killed on dispose.
/// </summary>
public sealed class PrometheusServer : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly HttpListener _listener = new();
    private readonly Process _prometheus;
    private readonly string _dir;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(15) };

    public PrometheusServer()
    {
        var body = System.Text.Encoding.UTF8.GetBytes(MetricsSample.Text);
        var targetPort = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{targetPort}/");
        _listener.Start();
        _ = ServeAsync(body);
        Target = $"127.0.0.1:{targetPort}";

        _dir = Directory.CreateTempSubdirectory("mcp-egress-prom-").FullName;
        var config = Path.Combine(_dir, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: mcp-egress
                static_configs:
                  - targets: ["{Target}"]
            """);
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        var psi = new ProcessStartInfo("prometheus") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(_dir, "data"),
                     $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn" })
            psi.ArgumentList.Add(a);
        try
        {
            _prometheus = Process.Start(psi) ?? throw new InvalidOperationException("prometheus did not start");
        }
        catch (Win32Exception e)
        {
            _listener.Close();
            throw new InvalidOperationException("prometheus is required for the dashboard query checks (Debian: apt-get install prometheus): " + e.Message, e);
        }
        var log = new StringBuilder();
        _prometheus.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        _prometheus.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        _prometheus.BeginOutputReadLine();
        _prometheus.BeginErrorReadLine();

        // Ready once the target has been scraped a few times, so rate() and increase() have two samples or more.
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (_prometheus.HasExited) throw new InvalidOperationException("prometheus exited: " + log);
            try
            {
                var r = Query("count_over_time(up{job=\"mcp-egress\"}[1m]) >= 3 and up{job=\"mcp-egress\"} == 1");
                if (r.Status == "success" && r.Results > 0) break;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline) { Dispose(); throw new TimeoutException("prometheus did not scrape the sample within " + StartTimeout + ": " + log); }
            Thread.Sleep(250);
        }
    }

    /// <summary>The scraped target's instance label.</summary>
    public string Target { get; }

    public string BaseUrl { get; }

    public sealed record QueryResult(string Status, string? ErrorType, string? Error, int Results);

    /// <summary>An instant query; a parse error gives Status "error" and ErrorType "bad_data".</summary>
    public QueryResult Query(string expr)
    {
        using var content = new FormUrlEncodedContent([new KeyValuePair<string, string>("query", expr)]);
        using var response = _http.PostAsync(BaseUrl + "/api/v1/query", content).GetAwaiter().GetResult();
        using var doc = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        var root = doc.RootElement;
        var status = root.GetProperty("status").GetString()!;
        if (status != "success") return new QueryResult(status, root.Str("errorType"), root.Str("error"), 0);
        var result = root.GetProperty("data").GetProperty("result");
        return new QueryResult(status, null, null, result.ValueKind == JsonValueKind.Array ? result.GetArrayLength() : 1);
    }

    private async Task ServeAsync(byte[] body)
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            try
            {
                ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                ctx.Response.ContentLength64 = body.Length;
                await ctx.Response.OutputStream.WriteAsync(body);
                ctx.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException) { }
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try { if (!_prometheus.HasExited) { _prometheus.Kill(); _prometheus.WaitForExit(10_000); } } catch (InvalidOperationException) { }
        _prometheus.Dispose();
        if (_listener.IsListening) _listener.Close();
        _http.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
