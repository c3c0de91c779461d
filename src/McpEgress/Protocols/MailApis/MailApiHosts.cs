namespace McpEgress.Protocols.MailApis;

/// <summary>Maps a server name to a provider id (mail-apis.md §1). Names are compared lower-cased, port and trailing dot removed.</summary>
public static class MailApiHosts
{
    private static readonly Dictionary<string, string> Exact = new(StringComparer.Ordinal)
    {
        ["api.postmarkapp.com"] = MailApiProviders.Postmark,
        ["api.sendgrid.com"] = MailApiProviders.SendGrid,
        ["api.eu.sendgrid.com"] = MailApiProviders.SendGrid,
        ["email.twilio.com"] = MailApiProviders.SendGrid,
        ["api.mailgun.net"] = MailApiProviders.Mailgun,
        ["api.eu.mailgun.net"] = MailApiProviders.Mailgun,
        ["api.resend.com"] = MailApiProviders.Resend,
        ["api.mailjet.com"] = MailApiProviders.Mailjet,
        ["api.us.mailjet.com"] = MailApiProviders.Mailjet,
        ["api.eu.mailjet.com"] = MailApiProviders.Mailjet,
        ["api.brevo.com"] = MailApiProviders.Brevo,
        ["api.sendinblue.com"] = MailApiProviders.Brevo,
        ["mandrillapp.com"] = MailApiProviders.Mandrill,
        ["www.mandrillapp.com"] = MailApiProviders.Mandrill,
        ["api.sparkpost.com"] = MailApiProviders.SparkPost,
        ["api.eu.sparkpost.com"] = MailApiProviders.SparkPost,
        ["api.mailersend.com"] = MailApiProviders.MailerSend,
        ["graph.microsoft.com"] = MailApiProviders.Graph,
        ["graph.microsoft.us"] = MailApiProviders.Graph,
        ["dod-graph.microsoft.us"] = MailApiProviders.Graph,
        ["microsoftgraph.chinacloudapi.cn"] = MailApiProviders.Graph,
        ["graph.microsoft.de"] = MailApiProviders.Graph,
        ["canary.graph.microsoft.com"] = MailApiProviders.Graph,
        ["gmail.googleapis.com"] = MailApiProviders.Gmail,
        // Shared by many Google APIs: only /gmail/ paths count (see MailApiExtractor).
        ["www.googleapis.com"] = MailApiProviders.Gmail,
    };

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

    /// <summary>Provider id for a normalized host, or null.</summary>
    public static string? Lookup(string host)
    {
        if (Exact.TryGetValue(host, out var p)) return p;
        // Mailgun storage hosts (storage-us-east4.api.mailgun.net...).
        if (host.EndsWith(".api.mailgun.net", StringComparison.Ordinal)) return MailApiProviders.Mailgun;
        // SparkPost Enterprise: {tenant}.api.e.sparkpost.com.
        if (host.EndsWith(".api.e.sparkpost.com", StringComparison.Ordinal)) return MailApiProviders.SparkPost;
        if (IsSesHost(host)) return MailApiProviders.Ses;
        return null;
    }

    /// <summary>
    /// SES endpoints from the SDK rule set: email.{region}.amazonaws.com, email-fips.{region}.amazonaws.com,
    /// email[-fips].{region}.api.aws, email.{region}.amazonaws.com.cn, {EndpointId}.endpoints.email.amazonaws.com.
    /// Not email-smtp.* (SMTP interface).
    /// </summary>
    private static bool IsSesHost(string host)
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
