namespace McpEgress.Protocols.Http;

/// <summary>
/// Removes credentials before they are stored anywhere (every provider's key travels in a header, Gmail's also in
/// the query: src/McpEgress/Protocols/MailApis/mail-apis.md §1). Header values are redacted at parse time, so no
/// record ever holds one; request targets keep what was sent (provider matching needs the path) and every output
/// uses <see cref="RedactTarget"/>.
/// </summary>
public static class HttpRedaction
{
    public const string Redacted = "[REDACTED]";

    private static readonly HashSet<string> CredentialHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "proxy-authorization", "cookie", "set-cookie",
        "x-postmark-server-token", "x-postmark-account-token", "api-key", "x-api-key", "x-amz-security-token",
    };

    // Credential-like parameter names (query, matrix ";name=", fragment "#name="), compared after percent-decoding,
    // lower-casing and splitting into words at '-', '_', '.', ' ': a name is a credential when one of its words is in
    // CredentialWords, or the name without separators contains one of CredentialParts.
    private static readonly HashSet<string> CredentialWords = new(StringComparer.Ordinal)
    {
        "key", "apikey", "token", "secret", "password", "passwd", "pwd", "pass", "passphrase", "auth", "sig", "signature",
        "credential", "credentials", "jwt", "sid", "sessionid", "session", "bearer", "otp",
    };

    private static readonly string[] CredentialParts =
    [
        "token", "secret", "passw", "apikey", "credential", "signature", "privatekey", "accesskey", "sessionid", "authkey",
    ];

    /// <summary>
    /// Whether a URL parameter name is credential-like (<c>key</c>, <c>api-key</c>, <c>auth_token</c>,
    /// <c>client_secret</c>, <c>password</c>, <c>x-postmark-server-token</c>, <c>X-Amz-Signature</c>,
    /// <c>jsessionid</c>, ...), case- and percent-encoding-insensitive. <c>monkey</c> or <c>keyring</c> are not.
    /// </summary>
    public static bool IsCredentialParameter(ReadOnlySpan<char> rawName)
    {
        string name;
        try { name = Uri.UnescapeDataString(rawName.ToString().Replace('+', ' ')).ToLowerInvariant(); }
        catch (UriFormatException) { name = rawName.ToString().ToLowerInvariant(); }
        foreach (var word in name.Split(['-', '_', '.', ' ', '[', ']'], StringSplitOptions.RemoveEmptyEntries))
            if (CredentialWords.Contains(word)) return true;
        string compact = string.Concat(name.Where(char.IsAsciiLetterOrDigit));
        foreach (var part in CredentialParts)
            if (compact.Contains(part, StringComparison.Ordinal)) return true;
        return false;
    }

    public static bool IsCredentialHeader(string name)
    {
        // Header names come from HeaderStrings' per-thread cache, so a request's names are the same string instances as
        // the last request's: the verdict is kept per instance (64 slots per thread), the checks below run once per name.
        var verdicts = t_verdicts ??= new (string?, bool)[VerdictSlots];
        ref var slot = ref verdicts[(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(name) & int.MaxValue) % VerdictSlots];
        if (ReferenceEquals(slot.Name, name)) return slot.Credential;
        bool credential = IsCredentialHeaderName(name);
        slot = (name, credential);
        return credential;
    }

    private const int VerdictSlots = 64;
    [ThreadStatic] private static (string? Name, bool Credential)[]? t_verdicts;

    private static bool IsCredentialHeaderName(string name) =>
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

    /// <summary>
    /// A request target (origin-form <c>path;matrix?query#fragment</c>, or absolute-form <c>scheme://user:pass@host/...</c>)
    /// with every credential removed: the userinfo of an absolute-form target (user names are API keys too, as in
    /// <c>api:key@</c>), and the values of credential-like parameters (<see cref="IsCredentialParameter"/>) in the
    /// query (<c>&amp;</c>- or <c>;</c>-separated), in matrix parameters of any path segment and in the fragment
    /// (<c>#access_token=</c>, OAuth implicit flow). Returns the same string when nothing was redacted.
    /// </summary>
    public static string RedactTarget(string target)
    {
        // No authority, matrix parameter, query or fragment ("/email"): nothing to redact, nothing to build.
        if (target.AsSpan().IndexOfAny(';', '?', '#') < 0 && !target.Contains("://", StringComparison.Ordinal)) return target;
        var sb = new System.Text.StringBuilder(target.Length + 16);
        bool changed = false;
        int pos = 0;
        int schemeEnd = target.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd > 0 && IsScheme(target.AsSpan(0, schemeEnd)))
        {
            int authorityStart = schemeEnd + 3;
            int authorityEnd = target.IndexOfAny(['/', '?', '#'], authorityStart);
            if (authorityEnd < 0) authorityEnd = target.Length;
            int at = target.AsSpan(authorityStart, authorityEnd - authorityStart).LastIndexOf('@');
            sb.Append(target, 0, authorityStart);
            if (at >= 0)
            {
                sb.Append(Redacted);
                changed = true;
                sb.Append(target, authorityStart + at, authorityEnd - authorityStart - at);
            }
            else sb.Append(target, authorityStart, authorityEnd - authorityStart);
            pos = authorityEnd;
        }
        int hash = target.IndexOf('#', pos);
        int query = target.IndexOf('?', pos, (hash < 0 ? target.Length : hash) - pos);
        int pathEnd = query >= 0 ? query : hash >= 0 ? hash : target.Length;

        // Matrix parameters: in each path segment, what follows the first ';' (RFC 3986 §3.3).
        var path = target.AsSpan(pos, pathEnd - pos);
        while (true)
        {
            int slash = path.IndexOf('/');
            var segment = slash < 0 ? path : path[..slash];
            int semi = segment.IndexOf(';');
            if (semi < 0) sb.Append(segment);
            else
            {
                sb.Append(segment[..(semi + 1)]);
                changed |= RedactPairs(segment[(semi + 1)..], sb);
            }
            if (slash < 0) break;
            sb.Append('/');
            path = path[(slash + 1)..];
        }
        if (query >= 0)
        {
            sb.Append('?');
            changed |= RedactPairs(target.AsSpan(query + 1, (hash < 0 ? target.Length : hash) - query - 1), sb);
        }
        if (hash >= 0)
        {
            sb.Append('#');
            changed |= RedactPairs(target.AsSpan(hash + 1), sb);
        }
        return changed ? sb.ToString() : target;
    }

    /// <summary>Appends <c>name=value</c> pairs separated by '&amp;' or ';', credential values replaced. True if any was.</summary>
    private static bool RedactPairs(ReadOnlySpan<char> pairs, System.Text.StringBuilder sb)
    {
        bool changed = false;
        while (true)
        {
            int sep = pairs.IndexOfAny('&', ';');
            var pair = sep < 0 ? pairs : pairs[..sep];
            int eq = pair.IndexOf('=');
            if (eq >= 0 && IsCredentialParameter(pair[..eq]))
            {
                sb.Append(pair[..(eq + 1)]).Append(Redacted);
                changed = true;
            }
            else sb.Append(pair);
            if (sep < 0) return changed;
            sb.Append(pairs[sep]);
            pairs = pairs[(sep + 1)..];
        }
    }

    // RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
    private static bool IsScheme(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || !char.IsAsciiLetter(s[0])) return false;
        foreach (char c in s)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.')) return false;
        return true;
    }
}
