using System.Globalization;
using System.Net;

namespace McpEgress.Export.Prometheus;

/// <summary>Where and how <see cref="MetricsServer"/> listens. Every limit keeps a scraper (or anything else that connects) from holding resources.</summary>
public sealed class MetricsServerOptions
{
    /// <summary>Listen address: an IP literal or "localhost". Default 127.0.0.1 (loopback only).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (see <see cref="MetricsServer.LocalEndPoint"/>). Default 9464.</summary>
    public int Port { get; init; } = 9464;

    /// <summary>Largest request line, and largest header block, accepted (Kestrel: 414/431 beyond). Default 8 KiB.</summary>
    public int MaxRequestHeadBytes { get; init; } = 8 * 1024;

    /// <summary>Time allowed to receive the whole request head (Kestrel's RequestHeadersTimeout). Default 5 s.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>An idle kept-alive connection (a scraper's, between scrapes) is closed after this. Default 30 s.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Connections open at once (kept-alive ones count); further ones are refused. Default 16.</summary>
    public int MaxConcurrentConnections { get; init; } = 16;

    /// <summary>Parses "HOST:PORT", "[IPv6]:PORT" or ":PORT" (host 127.0.0.1) into options with the other defaults.</summary>
    public static MetricsServerOptions Parse(string hostPort)
    {
        if (!TryParse(hostPort, out var options))
            throw new FormatException($"invalid metrics listen address '{hostPort}': expected HOST:PORT, e.g. 127.0.0.1:9464");
        return options;
    }

    public static bool TryParse(string? hostPort, out MetricsServerOptions options)
    {
        options = new MetricsServerOptions();
        if (string.IsNullOrWhiteSpace(hostPort)) return false;
        int colon = hostPort.LastIndexOf(':');
        if (colon < 0) return false;
        string host = hostPort[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (host.Length == 0) host = "127.0.0.1";
        if (!int.TryParse(hostPort.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
            return false;
        if (ResolveHost(host) is null) return false;
        options = new MetricsServerOptions { Host = host, Port = port };
        return true;
    }

    internal static IPAddress? ResolveHost(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
        return IPAddress.TryParse(host, out var ip) ? ip : null;
    }
}
