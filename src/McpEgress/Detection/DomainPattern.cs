using System.Globalization;

namespace McpEgress.Detection;

/// <summary>
/// A policy domain entry. <c>example.com</c> matches example.com and every subdomain; <c>*.example.com</c>
/// matches only the subdomains. Entries are validated strictly (RFC 1035 §2.3.1 letters-digits-hyphen labels,
/// RFC 5890 IDNs), unlike domains seen in traffic.
/// </summary>
public sealed class DomainPattern
{
    private static readonly IdnMapping StrictIdn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    private DomainPattern(string text, string domain, bool subdomainsOnly)
    {
        Text = text;
        Domain = domain;
        SubdomainsOnly = subdomainsOnly;
    }

    /// <summary>The entry as written in the policy.</summary>
    public string Text { get; }
    /// <summary>The normalized (ASCII, lower case) domain without any <c>*.</c> prefix.</summary>
    public string Domain { get; }
    public bool SubdomainsOnly { get; }

    /// <summary>True when the normalized <paramref name="domain"/> falls under this entry.</summary>
    public bool Matches(string domain) =>
        SubdomainsOnly ? DomainName.IsStrictSubdomainOf(domain, Domain) : DomainName.IsSameOrSubdomainOf(domain, Domain);

    /// <summary>As <see cref="Matches(string)"/> for an ASCII domain in any case (<see cref="DomainName.TryAsciiDomainOf"/>).</summary>
    public bool Matches(ReadOnlySpan<char> asciiDomain) =>
        SubdomainsOnly ? DomainName.IsStrictSubdomainOf(asciiDomain, Domain) : DomainName.IsSameOrSubdomainOf(asciiDomain, Domain);

    public static DomainPattern Parse(string text) =>
        TryParse(text, out var p, out var error) ? p : throw new ArgumentException($"invalid domain \"{text}\": {error}", nameof(text));

    /// <summary>Validates an entry; <paramref name="error"/> says what is wrong, in words fit for a config error.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DomainPattern? pattern, out string error)
    {
        pattern = null;
        error = string.Empty;
        if (string.IsNullOrEmpty(text)) { error = "empty domain"; return false; }
        foreach (char c in text)
            if (char.IsWhiteSpace(c)) { error = "contains whitespace"; return false; }
        if (text.Contains('@')) { error = "expected a domain, not an address"; return false; }

        string body = text;
        bool subdomainsOnly = false;
        if (body.StartsWith("*.", StringComparison.Ordinal)) { subdomainsOnly = true; body = body[2..]; }
        if (body.EndsWith('.')) body = body[..^1];
        if (body.Length == 0) { error = "empty domain"; return false; }
        if (body.Contains('*')) { error = "'*' is only allowed as a leading \"*.\""; return false; }

        string ascii = body;
        foreach (char c in body)
        {
            if (c >= 0x80)
            {
                try { ascii = StrictIdn.GetAscii(body); }
                catch (ArgumentException) { error = "not a valid internationalized domain name"; return false; }
                break;
            }
        }
        ascii = ascii.ToLowerInvariant();

        if (ascii.Length > 253) { error = "longer than 253 characters"; return false; }
        foreach (var label in ascii.Split('.'))
        {
            if (label.Length == 0) { error = "empty label"; return false; }
            if (label.Length > 63) { error = $"label \"{label}\" is longer than 63 characters"; return false; }
            if (label[0] == '-' || label[^1] == '-') { error = $"label \"{label}\" starts or ends with '-'"; return false; }
            foreach (char c in label)
                if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
                {
                    error = $"invalid character '{c}'";
                    return false;
                }
        }
        pattern = new DomainPattern(text, ascii, subdomainsOnly);
        return true;
    }

    public override string ToString() => Text;
}
