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

    /// <summary>Largest request line plus headers accepted; larger gets 431. Default 8 KiB.</summary>
    public int MaxRequestHeadBytes { get; init; } = 8 * 1024;

    /// <summary>Time allowed to receive the whole request head. Default 5 s.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time allowed to send the whole response. Default 5 s.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Connections served at once; further ones are closed at once. Default 4.</summary>
    public int MaxConcurrentConnections { get; init; } = 4;

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
