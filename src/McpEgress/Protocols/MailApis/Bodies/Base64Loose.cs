using System.Buffers;

namespace McpEgress.Protocols.MailApis.Bodies;

/// <summary>
/// Decodes standard (RFC 4648 §4) or URL-safe (§5) base64, padded or not, with line breaks and spaces ignored
/// (SES and Graph wrap at 76 columns in the wild; Gmail's client sends base64url without padding).
/// At most <c>maxBytes</c> are decoded; the rest is not looked at.
/// </summary>
public static class Base64Loose
{
    /// <summary>False when a character outside both alphabets appears, or padding is impossible.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, int maxBytes, out byte[] bytes, out bool cut)
    {
        cut = false;
        bytes = [];
        // 4 characters give 3 bytes: stop reading once enough characters for maxBytes are in.
        long maxChars = ((long)maxBytes + 2) / 3 * 4;
        var rented = ArrayPool<char>.Shared.Rent((int)Math.Min(text.Length + 3, maxChars + 3));
        try
        {
            int n = 0;
            bool sawPad = false;
            foreach (char c in text)
            {
                char m;
                if (c is ' ' or '\t' or '\r' or '\n') continue;
                if (c == '=') { sawPad = true; continue; }
                if (sawPad) return false; // data after padding
                if (char.IsAsciiLetterOrDigit(c) || c is '+' or '/') m = c;
                else if (c == '-') m = '+';
                else if (c == '_') m = '/';
                else return false;
                if (n >= maxChars) { cut = true; break; }
                rented[n++] = m;
            }
            if (cut) n -= n % 4;
            switch (n % 4)
            {
                case 1: return false;
                case 2: rented[n++] = '='; rented[n++] = '='; break;
                case 3: rented[n++] = '='; break;
            }
            var output = new byte[n / 4 * 3];
            if (!Convert.TryFromBase64Chars(rented.AsSpan(0, n), output, out int written)) return false;
            bytes = written == output.Length ? output : output[..written];
            if (bytes.Length > maxBytes) { bytes = bytes[..maxBytes]; cut = true; }
            return true;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }
}
