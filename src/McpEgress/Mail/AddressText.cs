namespace McpEgress.Mail;

/// <summary>Shortening an address that is longer than a limit allows, without losing what detection needs: its domain.</summary>
public static class AddressText
{
    /// <summary>
    /// <paramref name="address"/> cut to at most <paramref name="maxChars"/> characters (at least 16), keeping the domain:
    /// the local part is shortened first ("aaaa…@domain"); a domain that alone is too long keeps its end, where the
    /// registrable part is ("…@…sub.giftshop.club"). Returns the address itself when it fits.
    /// </summary>
    public static string KeepDomain(string address, int maxChars, out bool cut)
    {
        maxChars = Math.Max(16, maxChars);
        cut = address.Length > maxChars;
        if (!cut) return address;
        int at = address.LastIndexOf('@');
        if (at < 0) return string.Concat(address.AsSpan(0, maxChars - 1), "…");
        var domain = address.AsSpan(at + 1);
        int localRoom = maxChars - domain.Length - 2; // "…" and "@"
        if (localRoom >= 0) return string.Concat(address.AsSpan(0, localRoom), "…@", domain);
        return string.Concat("…@…", domain[^(maxChars - 3)..]);
    }
}
