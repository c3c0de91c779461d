namespace McpEgress.Protocols.MailApis;

/// <summary>
/// Maps a server name to a provider of <see cref="MailApiProviders.All"/> (mail-apis.md §1). Names are compared
/// lower-cased, port and trailing dot removed.
/// </summary>
public static class MailApiHosts
{
    // Built from the registry: exact host names first, then suffixes and rules in registration order.
    private static readonly Dictionary<string, MailApiProvider> Exact =
        MailApiProviders.All.SelectMany(p => p.Hosts.Select(h => (h, p))).ToDictionary(x => x.h, x => x.p, StringComparer.Ordinal);

    /// <summary>Lower-cases and strips a port ("host:443", "[::1]:443") and a trailing dot; null for empty input.</summary>
    public static string? Normalize(string? host)
    {
        if (string.IsNullOrWhiteSpace(host)) return null;
        var h = host.Trim();
        if (h.StartsWith('['))
        {
            int close = h.IndexOf(']');
            h = close > 0 ? h[1..close] : h[1..];
        }
        else
        {
            int colon = h.IndexOf(':');
            // More than one colon: a bare IPv6 literal, not host:port.
            if (colon >= 0 && h.IndexOf(':', colon + 1) < 0) h = h[..colon];
        }
        h = h.TrimEnd('.').ToLowerInvariant();
        return h.Length == 0 ? null : h;
    }

    /// <summary>Whether a server name (any case, with or without a port) is a known mail-API host.</summary>
    public static bool IsMailApiHost(string? host) => Normalize(host) is { } h && Find(h) is not null;

    /// <summary>Provider id for a normalized host, or null.</summary>
    public static string? Lookup(string host) => Find(host)?.Id;

    /// <summary>The provider a normalized host belongs to, or null.</summary>
    internal static MailApiProvider? Find(string host)
    {
        if (Exact.TryGetValue(host, out var p)) return p;
        foreach (var candidate in MailApiProviders.All)
            if (candidate.MatchesHost(host)) return candidate;
        return null;
    }

    /// <summary>
    /// SES endpoints from the SDK rule set: email.{region}.amazonaws.com, email-fips.{region}.amazonaws.com,
    /// email[-fips].{region}.api.aws, email.{region}.amazonaws.com.cn, {EndpointId}.endpoints.email.amazonaws.com.
    /// Not email-smtp.* (SMTP interface).
    /// </summary>
    internal static bool IsSesHost(string host)
    {
        if (host.EndsWith(".endpoints.email.amazonaws.com", StringComparison.Ordinal))
            return host.Length > ".endpoints.email.amazonaws.com".Length;
        string? rest = null;
        foreach (var suffix in (ReadOnlySpan<string>)[".amazonaws.com", ".amazonaws.com.cn", ".api.aws"])
            if (host.EndsWith(suffix, StringComparison.Ordinal)) { rest = host[..^suffix.Length]; break; }
        if (rest is null) return false;
        int dot = rest.IndexOf('.');
        if (dot < 0) return false;
        var service = rest.AsSpan(0, dot);
        var region = rest.AsSpan(dot + 1);
        if (!service.SequenceEqual("email") && !service.SequenceEqual("email-fips")) return false;
        if (region.Length == 0) return false;
        foreach (char c in region)
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')) return false;
        return true;
    }
}
