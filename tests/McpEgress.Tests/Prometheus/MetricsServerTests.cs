using System.Net;
using System.Net.Sockets;
using System.Text;
using McpEgress.Export.Prometheus;
using Prometheus;

namespace McpEgress.Tests.Prometheus;

public class MetricsServerTests
{
    private static MetricsServer StartServer(CollectorRegistry registry, Func<bool>? health = null, int maxHead = 8 * 1024)
    {
        var server = new MetricsServer(registry, health, new MetricsServerOptions { Port = 0, MaxRequestHeadBytes = maxHead });
        server.Start();
        return server;
    }

    private static HttpClient Client() => new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Metrics_Returns200WithTextFormatContentType()
    {
        var metrics = new EgressMetrics();
        metrics.OnConfigReload(true);
        using var server = StartServer(metrics.Registry);
        using var http = Client();

        using var response = await http.GetAsync($"http://{server.LocalEndPoint}/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", string.Join(", ", response.Content.Headers.GetValues("Content-Type")));
        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(metrics.ToText(), body);
        Assert.Equal("1", Exposition.Samples(body)["mcp_egress_config_reloads_total{result=\"success\"}"]);
    }

    [Fact]
    public async Task Metrics_IsTextFormat_EvenWhenTheScraperPrefersOpenMetrics()
    {
        var metrics = new EgressMetrics();
        using var server = StartServer(metrics.Registry);
        using var http = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{server.LocalEndPoint}/metrics");
        // What Prometheus 2.x sends.
        request.Headers.TryAddWithoutValidation("Accept",
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        using var response = await http.SendAsync(request);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", string.Join(", ", response.Content.Headers.GetValues("Content-Type")));
        string body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("# EOF", body);
        Assert.Contains("\nmcp_egress_messages_total{transport=\"smtp\",provider=\"none\"} 0\n", body);
    }

    [Fact]
    public async Task Healthz_FollowsTheCallback()
    {
        bool healthy = true;
        using var server = StartServer(Metrics.NewCustomRegistry(), () => healthy);
        using var http = Client();
        string url = $"http://{server.LocalEndPoint}/healthz";

        using (var ok = await http.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("ok\n", await ok.Content.ReadAsStringAsync());
        }
        healthy = false;
        using (var down = await http.GetAsync(url))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
    }

    [Fact]
    public async Task ThrowingHealthCallback_Is503()
    {
        using var server = StartServer(Metrics.NewCustomRegistry(), () => throw new InvalidOperationException());
        using var http = Client();
        using var r = await http.GetAsync($"http://{server.LocalEndPoint}/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/metricsx")]
    [InlineData("/healthz/x")]
    public async Task OtherPaths_Are404(string path)
    {
        using var server = StartServer(Metrics.NewCustomRegistry());
        using var http = Client();
        using var r = await http.GetAsync($"http://{server.LocalEndPoint}{path}");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }

    [Fact]
    public async Task QueryString_IsIgnored_PostIs405()
    {
        using var server = StartServer(Metrics.NewCustomRegistry());
        using var http = Client();
        using (var r = await http.GetAsync($"http://{server.LocalEndPoint}/metrics?x=1"))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await http.PostAsync($"http://{server.LocalEndPoint}/metrics", new StringContent("x")))
            Assert.Equal(HttpStatusCode.MethodNotAllowed, r.StatusCode);
    }

    /// <summary>Raw socket exchange: sends <paramref name="request"/> (possibly in pieces) and reads to EOF.</summary>
    private static async Task<string> RawAsync(IPEndPoint ep, params string[] pieces)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(ep);
        var stream = client.GetStream();
        foreach (var p in pieces)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(p));
            await stream.FlushAsync();
            await Task.Delay(20);
        }
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task RequestHead_SplitAcrossReads_IsAnswered_AndConnectionCloses()
    {
        using var server = StartServer(Metrics.NewCustomRegistry());
        // The blank line that ends the head arrives split over three writes; the client asks to close after it.
        string response = await RawAsync(server.LocalEndPoint!, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r", "\n\r", "\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response);
        Assert.EndsWith("\r\n\r\nok\n", response);
    }

    [Fact]
    public async Task HeadRequest_HasNoBody()
    {
        using var server = StartServer(Metrics.NewCustomRegistry());
        string response = await RawAsync(server.LocalEndPoint!, "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response);
        Assert.EndsWith("\r\n\r\n", response);
    }

    [Fact]
    public async Task OversizedHead_Is431_Garbage_Is400()
    {
        using var server = StartServer(Metrics.NewCustomRegistry(), maxHead: 256);
        string big = await RawAsync(server.LocalEndPoint!, "GET /metrics HTTP/1.1\r\nHost: x\r\nX: " + new string('a', 400) + "\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 431 ", big);
        string bad = await RawAsync(server.LocalEndPoint!, "\u0016\u0003\u0001 nonsense\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400 ", bad);
    }

    [Fact]
    public async Task ClientThatSendsNothing_DoesNotStopOthers()
    {
        using var server = StartServer(Metrics.NewCustomRegistry());
        using var idle = new TcpClient();
        await idle.ConnectAsync(server.LocalEndPoint!); // holds one slot until the read timeout
        using var http = Client();
        using var r = await http.GetAsync($"http://{server.LocalEndPoint}/healthz");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    [Fact]
    public void PortInUse_GivesAClearException()
    {
        var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        try
        {
            int port = ((IPEndPoint)blocker.LocalEndpoint).Port;
            using var server = new MetricsServer(Metrics.NewCustomRegistry(), options: new MetricsServerOptions { Port = port });
            var e = Assert.Throws<MetricsServerException>(server.Start);
            Assert.Contains($"127.0.0.1:{port}", e.Message);
            Assert.Contains("already in use", e.Message);
        }
        finally
        {
            blocker.Stop();
        }
    }

    [Fact]
    public void AddressNotOfThisHost_GivesAClearException()
    {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a host.
        using var server = new MetricsServer(Metrics.NewCustomRegistry(), options: new MetricsServerOptions { Host = "192.0.2.1", Port = 0 });
        var e = Assert.Throws<MetricsServerException>(server.Start);
        Assert.Contains("192.0.2.1", e.Message);
        Assert.Contains("not assigned to this host", e.Message);
    }

    [Fact]
    public async Task Stop_ReleasesThePort()
    {
        var server = StartServer(Metrics.NewCustomRegistry());
        var ep = server.LocalEndPoint!;
        server.Dispose();
        server.Dispose(); // idempotent
        using var again = new MetricsServer(Metrics.NewCustomRegistry(), options: new MetricsServerOptions { Port = ep.Port });
        again.Start();
        using var http = Client();
        using var r = await http.GetAsync($"http://{again.LocalEndPoint}/healthz");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1:9464", "127.0.0.1", 9464)]
    [InlineData("0.0.0.0:9100", "0.0.0.0", 9100)]
    [InlineData("[::1]:9464", "::1", 9464)]
    [InlineData(":9464", "127.0.0.1", 9464)]
    [InlineData("localhost:1", "localhost", 1)]
    public void Options_ParseHostPort(string text, string host, int port)
    {
        var o = MetricsServerOptions.Parse(text);
        Assert.Equal(host, o.Host);
        Assert.Equal(port, o.Port);
    }

    [Theory]
    [InlineData("9464")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("example.com:9464")]
    [InlineData("127.0.0.1:-1")]
    public void Options_RejectBadHostPort(string text) => Assert.Throws<FormatException>(() => MetricsServerOptions.Parse(text));
}
