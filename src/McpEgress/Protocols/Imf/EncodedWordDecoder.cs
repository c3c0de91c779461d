using System.Text;
using McpEgress.Diagnostics;

namespace McpEgress.Protocols.Imf;

/// <summary>
/// Decodes RFC 2047 encoded-words (<c>=?charset?Q|B?text?=</c>) in unstructured text and phrases. Loose like
/// MimeKit and Python: encoded-words are recognised inside words and quoted strings too; whitespace between two
/// encoded-words is dropped (§6.2); adjacent words in the same charset are decoded together, so a multi-byte
/// character split across words survives; RFC 2231 §5 language suffixes (<c>utf-8*en</c>) are ignored; any
/// charset .NET knows (code pages included) is accepted. A malformed word is left as written.
/// </summary>
public static class EncodedWordDecoder
{
    static EncodedWordDecoder() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Decodes every encoded-word in <paramref name="text"/>; returns the same string when there is none.</summary>
    public static string Decode(string text, IAnomalySink? anomalies = null)
    {
        int first = text.IndexOf("=?", StringComparison.Ordinal);
        if (first < 0) return text;

        var sb = new StringBuilder(text.Length);
        sb.Append(text, 0, first);
        int pos = first;
        // Pending run of decoded bytes in one charset, not yet turned into text.
        byte[] pending = new byte[Math.Min(text.Length, 1024)];
        int pendingLen = 0;
        string? pendingCharset = null;
        int lastWordEnd = -1;

        while (pos < text.Length)
        {
            int start = text.IndexOf("=?", pos, StringComparison.Ordinal);
            if (start < 0) break;
            if (!TryParseWord(text, start, out int end, out string charset, out char enc, out int textStart, out int textEnd))
            {
                // Not a word: copy "=?" literally and go on after it.
                Flush(sb, pending, ref pendingLen, ref pendingCharset, anomalies);
                sb.Append(text, pos, start + 2 - pos);
                pos = start + 2;
                lastWordEnd = -1;
                continue;
            }

            // Text between the previous encoded-word and this one: dropped if it is only whitespace (§6.2).
            bool adjacent = lastWordEnd >= 0 && IsAllWhitespace(text.AsSpan(lastWordEnd, start - lastWordEnd));
            if (!adjacent)
            {
                Flush(sb, pending, ref pendingLen, ref pendingCharset, anomalies);
                sb.Append(text, pos, start - pos);
            }
            else if (pendingCharset is not null && !string.Equals(pendingCharset, charset, StringComparison.OrdinalIgnoreCase))
            {
                Flush(sb, pending, ref pendingLen, ref pendingCharset, anomalies);
            }

            int need = pendingLen + (textEnd - textStart);
            if (need > pending.Length) Array.Resize(ref pending, Math.Max(need, pending.Length * 2));
            int wrote = enc == 'B'
                ? DecodeB(text.AsSpan(textStart, textEnd - textStart), pending.AsSpan(pendingLen), anomalies)
                : DecodeQ(text.AsSpan(textStart, textEnd - textStart), pending.AsSpan(pendingLen));
            pendingLen += wrote;
            pendingCharset = charset;
            pos = end;
            lastWordEnd = end;
        }
        Flush(sb, pending, ref pendingLen, ref pendingCharset, anomalies);
        sb.Append(text, pos, text.Length - pos);
        return sb.ToString();
    }

    /// <summary>Finds the encoding for a MIME charset name, or null. Accepts common aliases .NET lacks.</summary>
    public static Encoding? GetEncoding(string charset)
    {
        string name = charset.Trim().Trim('"');
        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
        }
        string? alias = name.ToLowerInvariant() switch
        {
            "utf8" => "utf-8",
            "latin1" or "latin-1" or "l1" => "iso-8859-1",
            "ascii" or "us_ascii" or "ansi_x3.4-1968" => "us-ascii",
            "sjis" or "shift-jis" or "x-sjis" => "shift_jis",
            "gb18030-2000" => "gb18030",
            _ => null,
        };
        if (alias is null)
        {
            // cp1252, cp-1252, windows1252, x-cp1252, ms932...
            var digits = new string(name.Where(char.IsAsciiDigit).ToArray());
            if (digits.Length is >= 3 and <= 5 && (name.Contains("cp", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("windows", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("ms", StringComparison.OrdinalIgnoreCase))
                && int.TryParse(digits, out int cp))
            {
                try { return Encoding.GetEncoding(cp); } catch (Exception e) when (e is ArgumentException or NotSupportedException) { }
            }
            return null;
        }
        try { return Encoding.GetEncoding(alias); } catch (Exception e) when (e is ArgumentException or NotSupportedException) { return null; }
    }

    private static void Flush(StringBuilder sb, byte[] pending, ref int len, ref string? charset, IAnomalySink? anomalies)
    {
        if (charset is null) return;
        var bytes = pending.AsSpan(0, len);
        var encoding = GetEncoding(charset);
        if (encoding is null)
        {
            // Unknown charset ("unknown-8bit", typos): the bytes are most likely UTF-8 or Latin-1.
            anomalies?.Report(AnomalyStage.Imf, "encoded_word_unknown_charset");
            sb.Append(HeaderText.Decode(bytes));
        }
        else
        {
            sb.Append(encoding.GetString(bytes));
        }
        len = 0;
        charset = null;
    }

    // encoded-word = "=?" charset ["*" language] "?" encoding "?" encoded-text "?=" (RFC 2047 §2, RFC 2231 §5).
    private static bool TryParseWord(string s, int start, out int end, out string charset, out char enc,
        out int textStart, out int textEnd)
    {
        end = textStart = textEnd = 0;
        charset = string.Empty;
        enc = '\0';
        int p = start + 2;
        int q1 = p;
        while (q1 < s.Length && s[q1] != '?' && IsTokenChar(s[q1])) q1++;
        if (q1 >= s.Length || s[q1] != '?' || q1 == p || q1 - p > 64) return false;
        if (q1 + 2 >= s.Length || s[q1 + 2] != '?') return false;
        char e = char.ToUpperInvariant(s[q1 + 1]);
        if (e != 'Q' && e != 'B') return false;
        int ts = q1 + 3;
        int te = ts;
        // encoded-text: printable ASCII except '?' and space (§2); ends at "?=".
        while (te < s.Length && s[te] != '?' && s[te] > ' ' && s[te] < 0x7F) te++;
        if (te + 1 >= s.Length || s[te] != '?' || s[te + 1] != '=') return false;
        string cs = s.Substring(p, q1 - p);
        int star = cs.IndexOf('*');
        if (star == 0) return false;
        if (star > 0) cs = cs[..star];
        charset = cs;
        enc = e;
        textStart = ts;
        textEnd = te;
        end = te + 2;
        return true;
    }

    // RFC 2047 §2 token: no space, CTLs or especials ('*' stays allowed for the RFC 2231 language suffix).
    private static bool IsTokenChar(char c) => c > ' ' && c < 0x7F && "()<>@,;:\"/[]?=".IndexOf(c) < 0;

    private static bool IsAllWhitespace(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
        return true;
    }

    // RFC 2047 §4.2: "_" is space, "=XX" is a byte; a stray "=" is kept (loose).
    private static int DecodeQ(ReadOnlySpan<char> t, Span<byte> dst)
    {
        int n = 0;
        for (int i = 0; i < t.Length; i++)
        {
            char c = t[i];
            if (c == '_') dst[n++] = (byte)' ';
            else if (c == '=' && i + 2 < t.Length && IsHex(t[i + 1]) && IsHex(t[i + 2]))
            {
                dst[n++] = (byte)(HexVal(t[i + 1]) << 4 | HexVal(t[i + 2]));
                i += 2;
            }
            else dst[n++] = (byte)c;
        }
        return n;
    }

    // RFC 2047 §4.1 / RFC 4648: skip characters outside the alphabet, tolerate missing or extra padding.
    private static int DecodeB(ReadOnlySpan<char> t, Span<byte> dst, IAnomalySink? anomalies)
    {
        int n = 0, bits = 0, acc = 0;
        bool bad = false;
        foreach (char c in t)
        {
            int v = c switch
            {
                >= 'A' and <= 'Z' => c - 'A',
                >= 'a' and <= 'z' => c - 'a' + 26,
                >= '0' and <= '9' => c - '0' + 52,
                '+' => 62,
                '/' => 63,
                _ => -1,
            };
            if (v < 0)
            {
                if (c != '=') bad = true;
                continue;
            }
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                dst[n++] = (byte)(acc >> bits);
                acc &= (1 << bits) - 1;
            }
        }
        if (bad) anomalies?.Report(AnomalyStage.Imf, "encoded_word_bad_base64");
        return n;
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexVal(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
