namespace McpEgress.Mail;

/// <summary>
/// One mailbox: the addr-spec (local@domain, as written, IDN domains kept in Unicode) and an optional decoded
/// display name. Comparison helpers treat addresses case-insensitively, as every real mail system does.
/// </summary>
public readonly record struct MailAddress(string Address, string? DisplayName = null)
{
    private readonly string _address = Address;
    // Worked out once with the address: the rules read a message's domains several times each.
    private readonly string? _domain = DomainOf(Address);

    public string Address
    {
        get => _address;
        init
        {
            _address = value;
            _domain = DomainOf(value);
        }
    }

    /// <summary>
    /// Domain part in lower case, without a trailing dot; empty when the address has no '@'. IDN domains are
    /// normalised to their Unicode form (UTS #46), so "xn--bcher-kva.example" and "BÜCHER.example" both give
    /// "bücher.example"; a domain IDNA rejects (domain literals, junk) is only lower-cased.
    /// </summary>
    public string Domain => _domain ?? string.Empty;

    /// <summary>
    /// The domain of <paramref name="address"/> as written, when it is already its <see cref="Domain"/> up to ASCII case:
    /// an ASCII domain with no IDN (<c>xn--</c>) label, trailing dots cut (empty when the address has no <c>@</c>).
    /// False otherwise (non-ASCII or IDN: <see cref="Domain"/> normalises it). No allocation.
    /// </summary>
    public static bool TryAsciiDomain(string address, out ReadOnlySpan<char> domain)
    {
        int at = address.LastIndexOf('@');
        domain = at < 0 ? default : address.AsSpan(at + 1).TrimEnd('.');
        return System.Text.Ascii.IsValid(domain) && !domain.Contains("xn--", StringComparison.OrdinalIgnoreCase);
    }

    private static string? DomainOf(string? address)
    {
        if (address is null) return null; // default(MailAddress)
        if (TryAsciiDomain(address, out var ascii))
        {
            if (ascii.Length > RecentStrings.MaxChars)
                return string.Create(ascii.Length, ascii, static (dest, src) => System.Text.Ascii.ToLower(src, dest, out _));
            // The usual case, a short ASCII domain: lower-cased on the stack and taken from the thread's cache of
            // recent domains (a mail flow names the same few over and over), so no string per address.
            Span<char> lower = stackalloc char[RecentStrings.MaxChars];
            lower = lower[..ascii.Length];
            System.Text.Ascii.ToLower(ascii, lower, out _);
            return RecentStrings.Get(lower);
        }
        string d = address[(address.LastIndexOf('@') + 1)..].TrimEnd('.').ToLowerInvariant();
        try
        {
            return s_idn.GetUnicode(s_idn.GetAscii(d));
        }
        catch (ArgumentException)
        {
            return d;
        }
    }

    private static readonly System.Globalization.IdnMapping s_idn = new();

    public static readonly StringComparer AddressComparer = StringComparer.OrdinalIgnoreCase;

    public override string ToString() => DisplayName is null ? Address : $"\"{DisplayName}\" <{Address}>";
}
