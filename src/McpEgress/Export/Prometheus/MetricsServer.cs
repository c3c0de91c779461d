using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace McpEgress.Export.Prometheus;

/// <summary>
/// <c>GET /metrics</c> (prometheus-net's <c>MapMetrics</c> over a <see cref="CollectorRegistry"/>, text format 0.0.4) and <c>GET /healthz</c>
/// in one Kestrel host. The host is built empty: no configuration sources (ASPNETCORE_URLS and appsettings are not
/// read), no logging (the daemon's stdout carries events), and no console lifetime (the daemon owns SIGTERM and
/// stops this server itself after draining). A scrape reads counters without locking them, so it never blocks the
/// pipeline.
/// </summary>
public sealed class MetricsServer : IDisposable
{
    private readonly CollectorRegistry _registry;
    private readonly Func<bool>? _health;
    private readonly MetricsServerOptions _options;
    private readonly object _lock = new();
    private WebApplication? _app;

    /// <param name="health">Answers /healthz: true gives 200 "ok", false or an exception 503. Null: always healthy.</param>
    public MetricsServer(CollectorRegistry registry, Func<bool>? health = null, MetricsServerOptions? options = null)
    {
        _registry = registry;
        _health = health;
        _options = options ?? new MetricsServerOptions();
    }

    /// <summary>The bound address once started (with the real port when <see cref="MetricsServerOptions.Port"/> is 0).</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <exception cref="MetricsServerException">The address is in use, not permitted, or not an IP address.</exception>
    public void Start()
    {
        lock (_lock)
        {
            if (_app is not null) throw new InvalidOperationException("metrics server already started");
            var ip = MetricsServerOptions.ResolveHost(_options.Host)
                ?? throw new MetricsServerException($"metrics listen host '{_options.Host}' is not an IP address or localhost");
            var endPoint = new IPEndPoint(ip, _options.Port);
            var app = Build(endPoint);
            try
            {
                app.StartAsync().GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
            {
                app.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw new MetricsServerException($"cannot listen for metrics on {endPoint}: {Why(e)}", e);
            }
            _app = app;
            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            LocalEndPoint = bound is not null && Uri.TryCreate(bound, UriKind.Absolute, out var uri)
                ? new IPEndPoint(ip, uri.Port)
                : endPoint;
        }
    }

    /// <summary>Stops listening and ends connections in flight. Safe to call more than once.</summary>
    public void Stop()
    {
        WebApplication? app;
        lock (_lock)
        {
            app = _app;
            _app = null;
        }
        if (app is null) return;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try { app.StopAsync(timeout.Token).GetAwaiter().GetResult(); }
            catch (OperationCanceledException) { }
        }
        app.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    public void Dispose() => Stop();

    private WebApplication Build(IPEndPoint endPoint)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxConcurrentConnections = _options.MaxConcurrentConnections;
            k.Limits.MaxRequestHeadersTotalSize = _options.MaxRequestHeadBytes;
            k.Limits.MaxRequestLineSize = _options.MaxRequestHeadBytes;
            k.Limits.MaxRequestBodySize = 0;
            k.Limits.RequestHeadersTimeout = _options.ReadTimeout;
            k.Limits.KeepAliveTimeout = _options.KeepAliveTimeout;
            k.Listen(endPoint);
        });
        var app = builder.Build();
        app.UseRouting();
        // Text format 0.0.4 only, whatever the scraper's Accept header prefers: it is the format of the contract
        // (METRICS.md) and what promtool checks; OpenMetrics would only add exemplars, which we don't use.
        app.MapMetrics(s =>
        {
            s.Registry = _registry;
            s.EnableOpenMetrics = false;
        }, "/metrics").WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]));
        // A RequestDelegate, not a lambda returning IResult: that overload builds its handler by reflection, which the
        // Native AOT binary can't.
        app.MapMethods("/healthz", ["GET", "HEAD"], (RequestDelegate)(context => Healthy()
            ? Results.Text("ok\n", "text/plain; charset=utf-8").ExecuteAsync(context)
            : Results.Text("unhealthy\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context)));
        return app;
    }

    private bool Healthy()
    {
        try { return _health?.Invoke() ?? true; }
        catch (Exception) { return false; }
    }

    private static string Why(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is AddressInUseException) return "the address is already in use (another mcp-egress or exporter?)";
            if (x is System.Net.Sockets.SocketException s)
                return s.SocketErrorCode switch
                {
                    System.Net.Sockets.SocketError.AddressAlreadyInUse => "the address is already in use (another mcp-egress or exporter?)",
                    System.Net.Sockets.SocketError.AccessDenied => "permission denied",
                    System.Net.Sockets.SocketError.AddressNotAvailable => "the address is not assigned to this host",
                    _ => s.Message,
                };
        }
        return e.Message;
    }

    /// <summary>The daemon handles SIGTERM/SIGINT itself; the default console lifetime would stop this host on them.</summary>
    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
