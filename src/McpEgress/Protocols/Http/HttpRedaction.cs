namespace McpEgress.Protocols.Http;

/// <summary>
/// Removes credentials before they are stored anywhere (mail-apis.md §1: every provider's key travels in a header,
/// Gmail's also in the query). Applied at parse time, so no record ever holds a secret.
/// </summary>
public static class HttpRedaction
{
    public const string Redacted = "[REDACTED]";

    private static readonly HashSet<string> CredentialHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "proxy-authorization", "cookie", "set-cookie",
        "x-postmark-server-token", "x-postmark-account-token", "api-key", "x-api-key", "x-amz-security-token",
    };

    private static readonly HashSet<string> CredentialQueryParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "key", "api_key", "apikey", "access_token", "token", "signature",
        "x-amz-signature", "x-amz-credential", "x-amz-security-token",
    };

    public static bool IsCredentialHeader(string name) =>
        CredentialHeaders.Contains(name)
        || name.Contains("token", StringComparison.OrdinalIgnoreCase)
        || name.Contains("secret", StringComparison.OrdinalIgnoreCase)
        || name.Contains("api-key", StringComparison.OrdinalIgnoreCase)
        || name.Contains("apikey", StringComparison.OrdinalIgnoreCase)
        || name.Contains("password", StringComparison.OrdinalIgnoreCase);

    /// <summary>The value to store for a header: unchanged, or redacted. Authorization-style headers keep their scheme
    /// word ("Bearer [REDACTED]") because the scheme identifies the provider/auth kind and is not secret.</summary>
    public static string RedactHeaderValue(string name, string value)
    {
        if (!IsCredentialHeader(name))
            return value;
        if (name.EndsWith("authorization", StringComparison.OrdinalIgnoreCase))
        {
            var v = value.AsSpan().Trim();
            int sp = v.IndexOfAny(' ', '\t');
            if (sp > 0 && sp <= 32 && IsSchemeWord(v[..sp]))
                return string.Concat(v[..sp], " ", Redacted);
        }
        return Redacted;
    }

    private static bool IsSchemeWord(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_' || c == '.'))
                return false;
        return true;
    }

    /// <summary>Replaces the values of credential query parameters in a request target (path?query#fragment).</summary>
    public static string RedactTarget(string target)
    {
        int q = target.IndexOf('?');
        if (q < 0)
            return target;
        var sb = new System.Text.StringBuilder(target.Length);
        sb.Append(target, 0, q + 1);
        int end = target.IndexOf('#', q);
        if (end < 0)
            end = target.Length;
        int i = q + 1;
        bool changed = false;
        while (i <= end)
        {
            int amp = target.IndexOf('&', i, end - i);
            if (amp < 0)
                amp = end;
            var pair = target.AsSpan(i, amp - i);
            int eq = pair.IndexOf('=');
            var rawName = eq < 0 ? pair : pair[..eq];
            if (eq >= 0 && CredentialQueryParameters.Contains(Uri.UnescapeDataString(rawName.ToString())))
            {
                sb.Append(rawName).Append('=').Append(Redacted);
                changed = true;
            }
            else
            {
                sb.Append(pair);
            }
            if (amp < end)
                sb.Append('&');
            i = amp + 1;
        }
        if (!changed)
            return target;
        sb.Append(target, end, target.Length - end);
        return sb.ToString();
    }
}
