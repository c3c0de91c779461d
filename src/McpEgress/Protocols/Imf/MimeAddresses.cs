using McpEgress.Diagnostics;
using McpEgress.Mail;
using MimeKit;

namespace McpEgress.Protocols.Imf;

/// <summary>
/// RFC 5322 §3.4 address lists (From, To, Cc, Bcc, Reply-To, Resent-*, API address strings) parsed by MimeKit's
/// <see cref="InternetAddressList"/> with <see cref="ImfOptions.Parser"/>: groups are flattened, comments dropped,
/// display names unquoted and their RFC 2047 encoded-words decoded, §4.4 obsolete syntax accepted. Never throws.
/// </summary>
public static class MimeAddresses
{
    /// <summary>An address-list string, as an API sends it.</summary>
    public static IReadOnlyList<MailAddress> Parse(string value, ImfOptions? options = null, IAnomalySink? anomalies = null)
    {
        CutRecipients? none = null;
        return Parse(value, options, anomalies, ref none, false, collectCut: false);
    }

    /// <summary>
    /// As <see cref="Parse(string, ImfOptions?, IAnomalySink?)"/>, but addresses past
    /// <see cref="ImfOptions.MaxAddressesPerField"/> leave their domains in <paramref name="cut"/> (created on the first
    /// one: a limit must never hide a recipient), as possibly hidden when <paramref name="cutMayBeHidden"/>.
    /// </summary>
    public static IReadOnlyList<MailAddress> Parse(string value, ImfOptions? options, IAnomalySink? anomalies,
        ref CutRecipients? cut, bool cutMayBeHidden, bool collectCut = true)
    {
        var o = options ?? ImfOptions.Default;
        if (string.IsNullOrWhiteSpace(value)) return [];
        // The usual API value, one bare addr-spec: as ParseInto's shortcut below, without the bytes and the list.
        if (o.MaxAddressesPerField > 0 && TrySimpleAddrSpec(value, out string? simple)) return [new MailAddress(simple)];
        var into = new List<MailAddress>();
        if (value.Length <= MaxStackValueChars && System.Text.Ascii.IsValid(value))
        {
            // The shortcuts below read ASCII from the stack: the UTF-8 copy MimeKit needs is made only if they don't apply.
            Span<byte> ascii = stackalloc byte[value.Length];
            System.Text.Ascii.FromUtf16(value, ascii, out _);
            if (!IsBlank(ascii) && TryShortcut(ascii, into, o)) return into;
        }
        byte[] raw = System.Text.Encoding.UTF8.GetBytes(value);
        ParseInto(raw, into, o, anomalies, ref cut, cutMayBeHidden, collectCut);
        return into;
    }

    private const int MaxStackValueChars = 1024;

    /// <summary>A raw (folded) field value from a header block; appends up to <see cref="ImfOptions.MaxAddressesPerField"/>.</summary>
    internal static void ParseInto(byte[] raw, List<MailAddress> into, ImfOptions o, IAnomalySink? anomalies)
    {
        CutRecipients? none = null;
        ParseInto(raw, into, o, anomalies, ref none, false, collectCut: false);
    }

    /// <summary>As above; the domains of the addresses past the cap go to <paramref name="cut"/> (created when needed).</summary>
    internal static void ParseInto(byte[] raw, List<MailAddress> into, ImfOptions o, IAnomalySink? anomalies,
        ref CutRecipients? cut, bool cutMayBeHidden, bool collectCut = true)
    {
        if (IsBlank(raw)) return; // "Bcc:" with no addresses (§3.6.3)
        if (TryShortcut(raw, into, o)) return;
        bool full = false, noDomain = false;
        if (TryParse(o, raw, 0, raw.Length) is { } list)
        {
            Flatten(raw, list, into, o, ref full, ref noDomain, ref cut, cutMayBeHidden, collectCut);
        }
        else
        {
            // MimeKit rejects the whole list when one element is bad (",a@x", "a@x)", "a@x (((", NULs: 11 of 297
            // corpus values where Python still finds addresses). A monitor must not lose the good elements, so
            // each top-level element is parsed alone; an element MimeKit still rejects is searched for
            // addr-spec-shaped words (reported, never silently dropped).
            anomalies?.Report(AnomalyStage.Imf, ImfAnomalies.AddressListInvalid);
            foreach (var (start, length) in AddressListElements.Split(raw))
            {
                if (full) break;
                int before = into.Count;
                if (TryParse(o, raw, start, length) is { } one) Flatten(raw, one, into, o, ref full, ref noDomain, ref cut, cutMayBeHidden, collectCut);
                // Nothing from an element that has an '@' (a group nested too deep, junk): look for addr-specs.
                if (into.Count == before && !full)
                    AddressListElements.Salvage(raw.AsSpan(start, length), into, o.MaxAddressesPerField, ref full);
            }
        }
        if (full) anomalies?.Report(AnomalyStage.Imf, ImfAnomalies.TooManyAddresses);
        if (noDomain) anomalies?.Report(AnomalyStage.Imf, ImfAnomalies.AddressWithoutDomain);
    }

    /// <summary>
    /// The values MimeKit would return unchanged, taken as they are (a 5-mailbox list costs ~5.7 µs through MimeKit, this
    /// a few dozen ns): one bare addr-spec ("To: a@b.example", an API's "To":"a@b.example"), the next most usual
    /// "Display Name &lt;local@domain&gt;" with a plain name, or a comma-separated list of those that fits under the
    /// per-field cap. False (nothing added) for anything else.
    /// </summary>
    private static bool TryShortcut(ReadOnlySpan<byte> raw, List<MailAddress> into, ImfOptions o)
    {
        if (into.Count >= o.MaxAddressesPerField) return false;
        if (TrySimpleAddrSpec(raw, out string? simple))
        {
            into.Add(new MailAddress(simple));
            return true;
        }
        if (TrySimpleMailbox(raw, out string? address, out string? name))
        {
            into.Add(new MailAddress(address, name));
            return true;
        }
        return TrySimpleList(raw, into, o);
    }

    /// <summary>
    /// "a@x.example, Bob &lt;b@y.example&gt;": every element a simple addr-spec (no "xn--" domain, whose form MimeKit
    /// decides) or a simple mailbox as above, none empty, all within <see cref="ImfOptions.MaxAddressesPerField"/>. A comma
    /// can only separate elements here: neither shape has quotes, comments or brackets around one.
    /// </summary>
    private static bool TrySimpleList(ReadOnlySpan<byte> raw, List<MailAddress> into, ImfOptions o)
    {
        int commas = raw.Count((byte)',');
        if (commas == 0 || into.Count + commas + 1 > o.MaxAddressesPerField) return false;
        foreach (var r in raw.Split((byte)','))
        {
            var element = raw[r].Trim(" \t\r\n"u8);
            bool simple = IsSimpleAddrSpec(element)
                ? !HasAceLabel(element[(element.IndexOf((byte)'@') + 1)..])
                : SimpleMailbox(element, out _, out _);
            if (!simple) return false;
        }
        foreach (var r in raw.Split((byte)','))
        {
            var element = raw[r].Trim(" \t\r\n"u8);
            if (IsSimpleAddrSpec(element))
            {
                into.Add(new MailAddress(RecentStrings.GetAscii(element)));
                continue;
            }
            SimpleMailbox(element, out var spec, out var phrase);
            into.Add(new MailAddress(RecentStrings.GetAscii(spec), phrase.IsEmpty ? null : RecentStrings.GetAscii(phrase)));
        }
        return true;
    }

    private static InternetAddressList? TryParse(ImfOptions o, byte[] raw, int start, int length)
    {
        try
        {
            return InternetAddressList.TryParse(o.Parser, raw, start, length, out var list) ? list : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    private static void Flatten(byte[] raw, InternetAddressList list, List<MailAddress> into, ImfOptions o, ref bool full, ref bool noDomain,
        ref CutRecipients? cut, bool cutMayBeHidden, bool collectCut)
    {
        foreach (var a in list)
        {
            if (a is GroupAddress g)
            {
                Flatten(raw, g.Members, into, o, ref full, ref noDomain, ref cut, cutMayBeHidden, collectCut);
                continue;
            }
            if (a is not MailboxAddress m) continue;
            string parsed = m.Address; // MailboxAddress computes it on every read: read once
            if (parsed.Length == 0) continue;
            if (into.Count >= o.MaxAddressesPerField)
            {
                full = true;
                if (!collectCut) return;
                (cut ??= new CutRecipients()).Add(parsed, cutMayBeHidden);
                continue;
            }
            int at = parsed.LastIndexOf('@'); // a domain has no '@'; a quoted local part may
            if (at < 0 || at == parsed.Length - 1) noDomain = true;
            string address = AsWritten(raw, m, parsed, at);
            if (address.Length == 0) continue; // '""', an empty local part: nobody to deliver to
            string? name = m.Name;
            into.Add(new MailAddress(address, string.IsNullOrEmpty(name) ? null : name));
        }
    }

    /// <summary>
    /// The addr-spec as Python's <c>Address.addr_spec</c> renders it and as the SMTP envelope carries it: a quoted
    /// local part unquoted unless it needs quotes (RFC 5322 §3.4.1: <c>"john".doe</c> is <c>john.doe</c>), and an
    /// IDN domain in the form it was written (MimeKit decodes A-labels to Unicode; RCPT TO keeps them).
    /// </summary>
    private static string AsWritten(byte[] raw, MailboxAddress m, string parsed, int at)
    {
        if (at < 0) return parsed.Contains('"') ? Requote(parsed) : parsed;
        bool quoted = parsed.AsSpan(0, at).Contains('"');
        bool ascii = System.Text.Ascii.IsValid(parsed.AsSpan(at + 1));
        if (!quoted && ascii) return parsed;
        string local = parsed[..at], domain = parsed[(at + 1)..];
        if (quoted) local = Requote(local);
        if (!ascii)
        {
            string encoded = m.GetAddress(idnEncode: true);
            string asciiDomain = encoded[(encoded.LastIndexOf('@') + 1)..];
            if (raw.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(asciiDomain)) >= 0) domain = asciiDomain;
        }
        return local + "@" + domain;
    }

    private static string Requote(string local)
    {
        var sb = new System.Text.StringBuilder(local.Length);
        bool quoted = false, needs = false;
        for (int i = 0; i < local.Length; i++)
        {
            char c = local[i];
            if (c == '"') { quoted = !quoted; continue; }
            if (c == '\\' && quoted && i + 1 < local.Length) c = local[++i];
            if (c is ' ' or '\t' or '(' or ')' or '<' or '>' or '@' or ',' or ':' or ';' or '\\' or '"' or '[' or ']') needs = true;
            sb.Append(c);
        }
        string s = sb.ToString();
        return needs ? "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"" : s;
    }

    /// <summary>
    /// True when <paramref name="raw"/> (surrounding white space aside) is exactly one dot-atom addr-spec of ASCII
    /// (RFC 5322 §3.4.1: atext and single dots in the local part, letters, digits, '-' and single dots in the domain),
    /// which every parser reads the same way. Anything else (names, brackets, quotes, comments, lists, IDN) is not.
    /// </summary>
    internal static bool TrySimpleAddrSpec(ReadOnlySpan<byte> raw, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? address)
    {
        address = null;
        raw = raw.Trim(" \t\r\n"u8);
        if (!IsSimpleAddrSpec(raw)) return false;
        address = RecentStrings.GetAscii(raw);
        return true;
    }

    /// <summary>As above for a string (its UTF-8 bytes): the trimmed string itself, no copy when nothing is trimmed.</summary>
    internal static bool TrySimpleAddrSpec(string value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? address)
    {
        address = null;
        var chars = value.AsSpan().Trim(" \t\r\n");
        // Non-ASCII never makes a dot-atom here, and 254 bytes is the addr-spec limit below.
        if (chars.Length > 254 || !System.Text.Ascii.IsValid(chars)) return false;
        Span<byte> bytes = stackalloc byte[chars.Length];
        System.Text.Ascii.FromUtf16(chars, bytes, out _);
        if (!IsSimpleAddrSpec(bytes)) return false;
        address = chars.Length == value.Length ? value : chars.ToString();
        return true;
    }

    // raw already trimmed.
    private static bool IsSimpleAddrSpec(ReadOnlySpan<byte> raw)
    {
        int at = raw.IndexOf((byte)'@');
        if (at <= 0 || at == raw.Length - 1 || raw.Length > 254 || raw[(at + 1)..].IndexOf((byte)'@') >= 0) return false;
        return DotAtom(raw[..at], localPart: true) && DotAtom(raw[(at + 1)..], localPart: false);
    }

    /// <summary>
    /// True when <paramref name="raw"/> (surrounding white space aside) is exactly a display name of plain ASCII words
    /// (atext but '=', so no encoded-word; single spaces; no quotes, dots, comments or folding), or none, then one space
    /// and an angle-addr holding a simple addr-spec as above (no "xn--" domain: MimeKit decides the form of those).
    /// MimeKit reads such a value as that name and that address, untouched (MimeAddressesTests checks it does).
    /// </summary>
    internal static bool TrySimpleMailbox(ReadOnlySpan<byte> raw, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? address,
        out string? name)
    {
        address = name = null;
        if (!SimpleMailbox(raw.Trim(" \t\r\n"u8), out var spec, out var phrase)) return false;
        address = RecentStrings.GetAscii(spec);
        name = phrase.IsEmpty ? null : RecentStrings.GetAscii(phrase);
        return true;
    }

    /// <summary>The check of <see cref="TrySimpleMailbox"/> on a trimmed value: its addr-spec and its name (empty when none).</summary>
    private static bool SimpleMailbox(ReadOnlySpan<byte> raw, out ReadOnlySpan<byte> spec, out ReadOnlySpan<byte> phrase)
    {
        spec = phrase = default;
        if (raw.Length < 5 || raw[^1] != (byte)'>') return false;
        int lt = raw.IndexOf((byte)'<');
        if (lt < 0) return false;
        spec = raw[(lt + 1)..^1];
        if (!IsSimpleAddrSpec(spec) || HasAceLabel(spec[(spec.IndexOf((byte)'@') + 1)..])) return false;
        phrase = raw[..lt];
        if (!phrase.IsEmpty)
        {
            if (phrase.Length < 2 || phrase[^1] != (byte)' ') return false;
            phrase = phrase[..^1];
            byte previous = (byte)' ';
            foreach (byte b in phrase)
            {
                if (b == (byte)' ' ? previous == (byte)' ' : !IsAtext(b, localPart: true) || b is (byte)'=' or (byte)'.') return false;
                previous = b;
            }
            if (previous == (byte)' ') return false;
        }
        return true;
    }

    // "xn--" in any case (an IDNA A-label).
    private static bool HasAceLabel(ReadOnlySpan<byte> domain)
    {
        for (int i = 2; i + 1 < domain.Length; i++)
            if (domain[i] == '-' && domain[i + 1] == '-' && (domain[i - 2] | 0x20) == 'x' && (domain[i - 1] | 0x20) == 'n') return true;
        return false;
    }

    private static bool DotAtom(ReadOnlySpan<byte> s, bool localPart)
    {
        if (s.IsEmpty || s[0] == '.' || s[^1] == '.') return false;
        byte previous = 0;
        foreach (byte b in s)
        {
            if (!IsAtext(b, localPart) || (b == '.' && previous == '.')) return false;
            previous = b;
        }
        return true;
    }

    // RFC 5322 §3.2.3 atext plus '.' for a local part; letters, digits, '-' and '.' for a domain.
    private static bool IsAtext(byte b, bool localPart) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'.'
        || (localPart && b is (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*'
            or (byte)'+' or (byte)'/' or (byte)'=' or (byte)'?' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'{'
            or (byte)'|' or (byte)'}' or (byte)'~');

    private static bool IsBlank(ReadOnlySpan<byte> raw)
    {
        foreach (byte b in raw)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        return true;
    }
}
