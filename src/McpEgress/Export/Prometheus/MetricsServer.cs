using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace McpEgress.Export.Prometheus;

/// <summary>
/// A small HTTP/1.1 server for <c>GET /metrics</c> and <c>GET /healthz</c>, on a <see cref="TcpListener"/> so the library
/// needs no web framework. It reads one bounded request head, answers and closes the connection
/// (<c>Connection: close</c>, RFC 9112 §9.6). It runs on the thread pool; a scrape reads counters without locking
/// them, so it never blocks the pipeline.
/// </summary>
public sealed class MetricsServer : IDisposable
{
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    private readonly MetricRegistry _registry;
    private readonly Func<bool>? _health;
    private readonly MetricsServerOptions _options;
    private readonly object _lock = new();
    private TcpListener? _listener;
    private CancellationTokenSource? _cts;
    private Task? _acceptLoop;
    private int _active;

    /// <param name="health">Answers /healthz: true gives 200 "ok", false or an exception 503. Null: always healthy.</param>
    public MetricsServer(MetricRegistry registry, Func<bool>? health = null, MetricsServerOptions? options = null)
    {
        _registry = registry;
        _health = health;
        _options = options ?? new MetricsServerOptions();
    }

    /// <summary>The bound address once started (with the real port when <see cref="MetricsServerOptions.Port"/> is 0).</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>Requests answered (any status), for tests and diagnostics.</summary>
    public long RequestsServed => Interlocked.Read(ref _served);
    private long _served;

    /// <exception cref="MetricsServerException">The address is in use, not permitted, or not an IP address.</exception>
    public void Start()
    {
        lock (_lock)
        {
            if (_listener is not null) throw new InvalidOperationException("metrics server already started");
            var ip = MetricsServerOptions.ResolveHost(_options.Host)
                ?? throw new MetricsServerException($"metrics listen host '{_options.Host}' is not an IP address or localhost");
            var endPoint = new IPEndPoint(ip, _options.Port);
            var listener = new TcpListener(endPoint);
            try
            {
                listener.Start(backlog: 16);
            }
            catch (SocketException e)
            {
                listener.Stop();
                string why = e.SocketErrorCode switch
                {
                    SocketError.AddressAlreadyInUse => "the address is already in use (another mcp-egress or exporter?)",
                    SocketError.AccessDenied => "permission denied",
                    SocketError.AddressNotAvailable => "the address is not assigned to this host",
                    _ => e.Message,
                };
                throw new MetricsServerException($"cannot listen for metrics on {endPoint}: {why}", e);
            }
            _listener = listener;
            LocalEndPoint = (IPEndPoint)listener.LocalEndpoint;
            _cts = new CancellationTokenSource();
            _acceptLoop = Task.Run(() => AcceptLoopAsync(listener, _cts.Token));
        }
    }

    /// <summary>Stops listening and cancels connections in flight. Safe to call more than once.</summary>
    public void Stop()
    {
        Task? loop;
        lock (_lock)
        {
            if (_listener is null) return;
            _cts!.Cancel();
            _listener.Stop();
            loop = _acceptLoop;
            _listener = null;
            _acceptLoop = null;
        }
        try { loop?.Wait(TimeSpan.FromSeconds(2)); }
        catch (AggregateException) { }
        _cts.Dispose();
        _cts = null;
    }

    public void Dispose() => Stop();

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) when (ct.IsCancellationRequested) { return; }
            catch (SocketException) { continue; } // a connection reset before accept: keep serving

            if (Interlocked.Increment(ref _active) > _options.MaxConcurrentConnections)
            {
                Interlocked.Decrement(ref _active);
                socket.Dispose();
                continue;
            }
            _ = ServeAsync(socket, ct);
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken ct)
    {
        try
        {
            socket.NoDelay = true;
            using var stream = new NetworkStream(socket, ownsSocket: true);
            var (status, reason, contentType, body, head) = await ReadAndAnswerAsync(stream, ct).ConfigureAwait(false);
            await WriteResponseAsync(stream, status, reason, contentType, body, head, ct).ConfigureAwait(false);
            Interlocked.Increment(ref _served);
        }
        catch (Exception)
        {
            // Client went away, timed out, or we are stopping: nothing to answer. Nothing from one connection may
            // escape into the process (an unobserved task exception) or stop the accept loop.
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    private async Task<(int Status, string Reason, string ContentType, byte[] Body, bool HeadOnly)> ReadAndAnswerAsync(
        NetworkStream stream, CancellationToken ct)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(_options.MaxRequestHeadBytes);
        try
        {
            int filled = 0, headLength = -1;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(_options.ReadTimeout);
                while (headLength < 0)
                {
                    if (filled >= _options.MaxRequestHeadBytes)
                        return (431, "Request Header Fields Too Large", "text/plain; charset=utf-8", "request head too large\n"u8.ToArray(), false);
                    int n = await stream.ReadAsync(buffer.AsMemory(filled, _options.MaxRequestHeadBytes - filled), timeout.Token).ConfigureAwait(false);
                    if (n == 0) throw new IOException("connection closed before the request head ended");
                    // Rescan the last three old bytes too: the terminator may straddle two reads.
                    int from = Math.Max(0, filled - 3);
                    filled += n;
                    int end = buffer.AsSpan(from, filled - from).IndexOf(HeadEnd);
                    if (end >= 0) headLength = from + end;
                }
            }
            return Answer(buffer.AsSpan(0, headLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private (int, string, string, byte[], bool) Answer(ReadOnlySpan<byte> head)
    {
        const string Text = "text/plain; charset=utf-8";
        // request-line = method SP request-target SP HTTP-version (RFC 9112 §3)
        int lineEnd = head.IndexOf("\r\n"u8);
        var line = lineEnd < 0 ? head : head[..lineEnd];
        int sp1 = line.IndexOf((byte)' ');
        int sp2 = sp1 < 0 ? -1 : line[(sp1 + 1)..].IndexOf((byte)' ');
        if (sp1 <= 0 || sp2 <= 0 || !line[(sp1 + 1 + sp2 + 1)..].StartsWith("HTTP/1."u8))
            return (400, "Bad Request", Text, "bad request\n"u8.ToArray(), false);
        var method = line[..sp1];
        var target = line.Slice(sp1 + 1, sp2);
        int q = target.IndexOf((byte)'?');
        if (q >= 0) target = target[..q];

        bool headOnly = method.SequenceEqual("HEAD"u8);
        if (!headOnly && !method.SequenceEqual("GET"u8))
            return (405, "Method Not Allowed", Text, "method not allowed\n"u8.ToArray(), false);

        if (target.SequenceEqual("/metrics"u8))
        {
            var body = new ArrayBufferWriter<byte>(16 * 1024);
            _registry.WriteTo(body);
            return (200, "OK", PrometheusTextWriter.ContentType, body.WrittenSpan.ToArray(), headOnly);
        }
        if (target.SequenceEqual("/healthz"u8))
        {
            bool healthy;
            try { healthy = _health?.Invoke() ?? true; }
            catch (Exception) { healthy = false; }
            return healthy
                ? (200, "OK", Text, "ok\n"u8.ToArray(), headOnly)
                : (503, "Service Unavailable", Text, "unhealthy\n"u8.ToArray(), headOnly);
        }
        return (404, "Not Found", Text, "not found\n"u8.ToArray(), headOnly);
    }

    private async Task WriteResponseAsync(NetworkStream stream, int status, string reason, string contentType, byte[] body,
        bool headOnly, CancellationToken ct)
    {
        string headers =
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\n" +
            (status == 405 ? "Allow: GET, HEAD\r\n" : "") +
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.WriteTimeout);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(headers), timeout.Token).ConfigureAwait(false);
        if (!headOnly) await stream.WriteAsync(body, timeout.Token).ConfigureAwait(false);
        await stream.FlushAsync(timeout.Token).ConfigureAwait(false);
        // Half-close so the client reads to EOF, then drain what it still sends (bounded) before closing: closing with
        // unread input makes the kernel send RST, which can discard the response before the client reads it.
        stream.Socket.Shutdown(SocketShutdown.Send);
        await DrainAsync(stream, ct).ConfigureAwait(false);
    }

    private const int DrainLimitBytes = 64 * 1024;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMilliseconds(500);

    private static async Task DrainAsync(NetworkStream stream, CancellationToken ct)
    {
        byte[] scratch = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(DrainTimeout);
            int total = 0;
            while (total < DrainLimitBytes)
            {
                int n = await stream.ReadAsync(scratch, timeout.Token).ConfigureAwait(false);
                if (n == 0) return;
                total += n;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException) { }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
