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
    /// <remarks>
    /// Addresses past <see cref="ImfOptions.MaxAddressesPerField"/> are not kept; with <paramref name="cut"/> their
    /// domains are recorded there (a limit must never hide a recipient), as possibly hidden when
    /// <paramref name="cutMayBeHidden"/>.
    /// </remarks>
    public static IReadOnlyList<MailAddress> Parse(string value, ImfOptions? options = null, IAnomalySink? anomalies = null,
        CutRecipients? cut = null, bool cutMayBeHidden = false)
    {
        var o = options ?? ImfOptions.Default;
        var into = new List<MailAddress>();
        if (string.IsNullOrWhiteSpace(value)) return into;
        byte[] raw = System.Text.Encoding.UTF8.GetBytes(value);
        ParseInto(raw, into, o, anomalies, cut, cutMayBeHidden);
        return into;
    }

    /// <summary>
    /// A raw (folded) field value from a header block; appends up to <see cref="ImfOptions.MaxAddressesPerField"/>, and
    /// the domains of the rest to <paramref name="cut"/> when given.
    /// </summary>
    internal static void ParseInto(byte[] raw, List<MailAddress> into, ImfOptions o, IAnomalySink? anomalies,
        CutRecipients? cut = null, bool cutMayBeHidden = false)
    {
        if (IsBlank(raw)) return; // "Bcc:" with no addresses (§3.6.3)
        bool full = false, noDomain = false;
        if (TryParse(o, raw, 0, raw.Length) is { } list)
        {
            Flatten(raw, list, into, o, ref full, ref noDomain, cut, cutMayBeHidden);
        }
        else
        {
            // MimeKit rejects the whole list when one element is bad (",a@x", "a@x)", "a@x (((", NULs: 11 of 297
            // corpus values where Python still finds addresses). A monitor must not lose the good elements, so
            // each top-level element is parsed alone; an element MimeKit still rejects is searched for
            // addr-spec-shaped words (reported, never silently dropped).
            anomalies?.Report(AnomalyStage.Imf, "address_list_invalid");
            foreach (var (start, length) in AddressListElements.Split(raw))
            {
                if (full) break;
                int before = into.Count;
                if (TryParse(o, raw, start, length) is { } one) Flatten(raw, one, into, o, ref full, ref noDomain, cut, cutMayBeHidden);
                // Nothing from an element that has an '@' (a group nested too deep, junk): look for addr-specs.
                if (into.Count == before && !full)
                    AddressListElements.Salvage(raw.AsSpan(start, length), into, o.MaxAddressesPerField, ref full);
            }
        }
        if (full) anomalies?.Report(AnomalyStage.Imf, "too_many_addresses");
        if (noDomain) anomalies?.Report(AnomalyStage.Imf, "address_without_domain");
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
        CutRecipients? cut, bool cutMayBeHidden)
    {
        foreach (var a in list)
        {
            if (a is GroupAddress g)
            {
                Flatten(raw, g.Members, into, o, ref full, ref noDomain, cut, cutMayBeHidden);
                continue;
            }
            if (a is not MailboxAddress m) continue;
            string parsed = m.Address; // MailboxAddress computes it on every read: read once
            if (parsed.Length == 0) continue;
            if (into.Count >= o.MaxAddressesPerField)
            {
                full = true;
                if (cut is null) return;
                cut.Add(parsed, cutMayBeHidden);
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

    private static bool IsBlank(byte[] raw)
    {
        foreach (byte b in raw)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        return true;
    }
}
