using System.Text;
using McpEgress.Mail;

namespace McpEgress.Protocols.Imf;

/// <summary>
/// Recovery for address lists MimeKit rejects as a whole (see <see cref="MimeAddresses"/>): the top-level
/// elements of a list (RFC 5322 §3.4: commas outside quoted strings, comments, angle-addrs and domain literals),
/// and the addr-spec-shaped words of an element that cannot be parsed at all. Linear, no recursion.
/// </summary>
internal static class AddressListElements
{
    public static List<(int Start, int Length)> Split(byte[] raw)
    {
        var parts = new List<(int, int)>();
        int start = 0, comment = 0;
        bool quoted = false, angle = false, literal = false;
        for (int i = 0; i < raw.Length; i++)
        {
            byte b = raw[i];
            if (b == (byte)'\\') { i++; continue; }
            if (quoted) { quoted = b != (byte)'"'; continue; }
            if (comment > 0)
            {
                if (b == (byte)'(') comment++;
                else if (b == (byte)')') comment--;
                continue;
            }
            switch (b)
            {
                case (byte)'"': quoted = true; break;
                case (byte)'(': comment = 1; break;
                case (byte)'<': angle = true; break;
                case (byte)'>': angle = false; break;
                case (byte)'[': literal = true; break;
                case (byte)']': literal = false; break;
                case (byte)',' or (byte)';' when !angle && !literal:
                    if (i > start) parts.Add((start, i - start));
                    start = i + 1;
                    break;
            }
        }
        if (raw.Length > start) parts.Add((start, raw.Length - start));
        return parts;
    }

    /// <summary>Adds every "local@domain" word (no whitespace or specials) of <paramref name="element"/>.</summary>
    public static void Salvage(ReadOnlySpan<byte> element, List<MailAddress> into, int max, ref bool full)
    {
        int i = 0;
        while (i < element.Length)
        {
            while (i < element.Length && IsStop(element[i])) i++;
            int s = i;
            while (i < element.Length && !IsStop(element[i])) i++;
            var word = element[s..i];
            int at = word.IndexOf((byte)'@');
            if (at <= 0 || at == word.Length - 1 || word[(at + 1)..].IndexOf((byte)'@') >= 0) continue;
            if (into.Count >= max) { full = true; return; }
            into.Add(new MailAddress(Encoding.UTF8.GetString(word)));
        }
    }

    private static bool IsStop(byte b) =>
        b <= (byte)' ' && b != 0 || b is (byte)'<' or (byte)'>' or (byte)'(' or (byte)')' or (byte)',' or (byte)';'
            or (byte)':' or (byte)'"' or (byte)'[' or (byte)']' or 0x7F;
}
