using System.Collections.Frozen;

namespace McpEgress.Detection;

/// <summary>
/// An approximation of the registrable domain ("eTLD+1") used to label hidden recipients by organisation rather than
/// by host: the last two labels (mail.giftshop.club → giftshop.club), or the last three when the last two are a
/// common second-level public suffix (mail.example.co.uk → example.co.uk). The built-in list covers the widely used
/// country second levels only; the full Public Suffix List is deliberately not embedded (size, upkeep), so a rare
/// suffix gives a coarser label, which only merges series and never leaks an address.
/// </summary>
public static class RegistrableDomain
{
    private static readonly FrozenSet<string> SecondLevelSuffixes = new[]
    {
        "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk", "nhs.uk", "sch.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au", "asn.au", "id.au",
        "co.nz", "net.nz", "org.nz", "ac.nz", "govt.nz",
        "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp",
        "co.kr", "or.kr", "co.za", "org.za", "co.in", "net.in", "org.in", "co.id", "co.il", "co.th", "ac.th",
        "com.br", "net.br", "org.br", "com.mx", "com.ar", "com.co", "com.pe",
        "com.cn", "net.cn", "org.cn", "com.hk", "com.tw", "com.sg", "com.my", "com.ph", "com.vn",
        "com.tr", "com.ua", "com.pl", "co.at", "or.at", "com.es", "com.gr", "com.cy", "com.mt",
        "com.eg", "com.sa", "com.pk", "com.ng", "co.ke",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The registrable part of <paramref name="domain"/> (expected lower case, no trailing dot, as
    /// <see cref="Mail.MailAddress.Domain"/> gives it). Empty for an empty domain, a domain literal ("[192.0.2.1]")
    /// or a bare dotted IPv4 address: those name hosts, not organisations.
    /// </summary>
    public static string Of(string? domain)
    {
        if (string.IsNullOrEmpty(domain)) return string.Empty;
        var d = domain.AsSpan().TrimEnd('.');
        if (d.Length == 0 || d[0] == '[' || IsDottedNumbers(d)) return string.Empty;
        int last = d.LastIndexOf('.');
        if (last <= 0) return d.Length == domain.Length ? domain : d.ToString();
        int second = d[..last].LastIndexOf('.');
        if (second < 0) return d.Length == domain.Length ? domain : d.ToString();
        var lastTwo = d[(second + 1)..];
        if (SecondLevelSuffixes.GetAlternateLookup<ReadOnlySpan<char>>().Contains(lastTwo))
        {
            int third = d[..second].LastIndexOf('.');
            return third < 0 ? d.ToString() : d[(third + 1)..].ToString();
        }
        return lastTwo.ToString();
    }

    private static bool IsDottedNumbers(ReadOnlySpan<char> d)
    {
        foreach (char c in d)
            if (c is not ((>= '0' and <= '9') or '.')) return false;
        return true;
    }
}
