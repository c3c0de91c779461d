using System.Globalization;

namespace McpEgress.Detection;

/// <summary>
/// Domain comparison as mail systems do it: case-insensitive, trailing root dot ignored, and an IDN equal in its
/// Unicode and punycode (A-label) forms. Everything is compared in the ASCII form (RFC 5890 §2.3.2.1).
/// </summary>
public static class DomainName
{
    // Lenient mapping for domains seen on the wire: underscores and other STD3-invalid characters still compare.
    private static readonly IdnMapping Idn = new() { AllowUnassigned = true, UseStd3AsciiRules = false };

    /// <summary>
    /// The comparable form of a domain: lower-case ASCII, punycode for IDN labels, no trailing dot. A domain the
    /// IDN mapping rejects is returned lower-cased as written, so it still equals itself. Empty for null/empty.
    /// </summary>
    public static string Normalize(string? domain)
    {
        if (string.IsNullOrEmpty(domain)) return string.Empty;
        string d = domain.TrimEnd('.');
        if (d.Length == 0) return string.Empty;
        foreach (char c in d)
        {
            if (c >= 0x80)
            {
                try { return Idn.GetAscii(d).ToLowerInvariant(); }
                catch (ArgumentException) { return d.ToLowerInvariant(); }
            }
        }
        return d.ToLowerInvariant();
    }

    /// <summary>
    /// The comparable form of <paramref name="address"/>'s domain (<see cref="Normalize"/> of <see cref="Mail.MailAddress.Domain"/>)
    /// without allocating, up to ASCII case, when the two are the same text: an ASCII domain with no IDN (<c>xn--</c>)
    /// label, trailing dots cut (empty when the address has no <c>@</c>). False otherwise: the caller normalizes.
    /// Compare the result with <see cref="StringComparison.OrdinalIgnoreCase"/> (<see cref="IsSameOrSubdomainOf(ReadOnlySpan{char}, string)"/>).
    /// </summary>
    public static bool TryAsciiDomainOf(string address, out ReadOnlySpan<char> domain) =>
        Mail.MailAddress.TryAsciiDomain(address, out domain);

    /// <summary>
    /// As <see cref="IsSameOrSubdomainOf(string, string)"/> for an ASCII <paramref name="domain"/> in any case
    /// (<see cref="TryAsciiDomainOf"/>); <paramref name="parent"/> normalized.
    /// </summary>
    public static bool IsSameOrSubdomainOf(ReadOnlySpan<char> domain, string parent)
    {
        if (parent.Length == 0 || domain.Length < parent.Length) return false;
        if (domain.Length == parent.Length) return domain.Equals(parent, StringComparison.OrdinalIgnoreCase);
        return IsStrictSubdomainOf(domain, parent);
    }

    /// <summary>As <see cref="IsStrictSubdomainOf(string, string)"/> for an ASCII <paramref name="domain"/> in any case.</summary>
    public static bool IsStrictSubdomainOf(ReadOnlySpan<char> domain, string parent) =>
        parent.Length > 0
        && domain.Length > parent.Length
        && domain[domain.Length - parent.Length - 1] == '.'
        && domain.EndsWith(parent, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="domain"/> equals <paramref name="parent"/> or is one of its subdomains. Both normalized.</summary>
    public static bool IsSameOrSubdomainOf(string domain, string parent)
    {
        if (parent.Length == 0 || domain.Length < parent.Length) return false;
        if (domain.Length == parent.Length) return string.Equals(domain, parent, StringComparison.Ordinal);
        return IsStrictSubdomainOf(domain, parent);
    }

    /// <summary>True when <paramref name="domain"/> is a subdomain of <paramref name="parent"/>, not the domain itself. Both normalized.</summary>
    public static bool IsStrictSubdomainOf(string domain, string parent) =>
        parent.Length > 0
        && domain.Length > parent.Length
        && domain[domain.Length - parent.Length - 1] == '.'
        && domain.EndsWith(parent, StringComparison.Ordinal);

    /// <summary>
    /// Same organisation, approximately: the domains are equal or one is a subdomain of the other
    /// (mail.example.com and example.com). No public-suffix list is used, so two unrelated domains under one
    /// suffix (a.co.uk, b.co.uk) are never related, while a bare suffix (co.uk) would relate to everything
    /// under it; real sender and recipient domains are never bare suffixes. Both normalized.
    /// </summary>
    public static bool AreRelated(string a, string b) => IsSameOrSubdomainOf(a, b) || IsSameOrSubdomainOf(b, a);
}
