using System.Text;

namespace McpEgress.Protocols.Smtp;

/// <summary>Verb recognition and argument parsing for client command lines (RFC 5321 §4.1).</summary>
internal static class SmtpCommandParser
{
    /// <summary>Reads the verb (first word) of a line; <paramref name="rest"/> is what follows the separating space.</summary>
    public static SmtpCommandKind ParseVerb(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> rest)
    {
        line = TrimStart(line);
        int sp = line.IndexOfAny((byte)' ', (byte)'\t');
        var verb = sp < 0 ? line : line[..sp];
        rest = sp < 0 ? default : TrimStart(line[(sp + 1)..]);
        return verb.Length switch
        {
            4 when Is(verb, "EHLO"u8) => SmtpCommandKind.Ehlo,
            4 when Is(verb, "HELO"u8) => SmtpCommandKind.Helo,
            4 when Is(verb, "MAIL"u8) => SmtpCommandKind.Mail,
            4 when Is(verb, "RCPT"u8) => SmtpCommandKind.Rcpt,
            4 when Is(verb, "DATA"u8) => SmtpCommandKind.Data,
            4 when Is(verb, "BDAT"u8) => SmtpCommandKind.Bdat,
            4 when Is(verb, "RSET"u8) => SmtpCommandKind.Rset,
            4 when Is(verb, "NOOP"u8) => SmtpCommandKind.Noop,
            4 when Is(verb, "VRFY"u8) => SmtpCommandKind.Vrfy,
            4 when Is(verb, "EXPN"u8) => SmtpCommandKind.Expn,
            4 when Is(verb, "HELP"u8) => SmtpCommandKind.Help,
            4 when Is(verb, "QUIT"u8) => SmtpCommandKind.Quit,
            4 when Is(verb, "AUTH"u8) => SmtpCommandKind.Auth,
            8 when Is(verb, "STARTTLS"u8) => SmtpCommandKind.StartTls,
            7 when Is(verb, "XCLIENT"u8) => SmtpCommandKind.Other,
            8 when Is(verb, "XFORWARD"u8) => SmtpCommandKind.Other,
            4 when Is(verb, "ETRN"u8) || Is(verb, "ATRN"u8) || Is(verb, "TURN"u8) || Is(verb, "BURL"u8)
                   || Is(verb, "SEND"u8) || Is(verb, "SOML"u8) || Is(verb, "SAML"u8) || Is(verb, "VERB"u8) => SmtpCommandKind.Other,
            _ => SmtpCommandKind.Unknown,
        };
    }

    /// <summary>A line that starts with a verb we know, used to resynchronise after a gap.</summary>
    public static bool StartsWithKnownVerb(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty || line[0] is (byte)' ' or (byte)'\t') return false;
        return ParseVerb(line, out _) != SmtpCommandKind.Unknown;
    }

    /// <summary>
    /// Parses "FROM:&lt;path&gt; params" / "TO:&lt;path&gt; params" loosely: spaces around ':', missing brackets,
    /// quoted local parts, source routes (&lt;@a,@b:user@c&gt; → user@c, RFC 5321 §4.1.2 / Appendix C).
    /// Returns false when the keyword is missing.
    /// </summary>
    public static bool TryParsePath(ReadOnlySpan<byte> args, ReadOnlySpan<byte> keyword, out string path, out ReadOnlySpan<byte> parameters)
    {
        path = string.Empty;
        parameters = default;
        args = TrimStart(args);
        if (args.Length < keyword.Length || !Is(args[..keyword.Length], keyword)) return false;
        args = TrimStart(args[keyword.Length..]);
        if (args.IsEmpty || args[0] != ':') return false;
        args = TrimStart(args[1..]);

        ReadOnlySpan<byte> raw;
        if (!args.IsEmpty && args[0] == '<')
        {
            int end = FindClosingBracket(args);
            raw = end < 0 ? args[1..] : args[1..end];
            parameters = end < 0 ? default : TrimStart(args[(end + 1)..]);
        }
        else
        {
            int sp = args.IndexOfAny((byte)' ', (byte)'\t');
            raw = sp < 0 ? args : args[..sp];
            parameters = sp < 0 ? default : TrimStart(args[(sp + 1)..]);
        }

        raw = raw.Trim((byte)' ');
        if (!raw.IsEmpty && raw[0] == '@')
        {
            // Source route: everything up to the ':' outside quotes is routing.
            int colon = raw.IndexOf((byte)':');
            raw = colon < 0 ? default : raw[(colon + 1)..];
        }
        path = Decode(raw);
        return true;
    }

    private static int FindClosingBracket(ReadOnlySpan<byte> s)
    {
        bool quoted = false;
        for (int i = 1; i < s.Length; i++)
        {
            byte b = s[i];
            if (quoted)
            {
                if (b == '\\') i++;
                else if (b == '"') quoted = false;
            }
            else if (b == '"') quoted = true;
            else if (b == '>') return i;
        }
        return -1;
    }

    /// <summary>Reads SIZE=, BODY= and SMTPUTF8 from MAIL FROM parameters (RFC 1870, RFC 6152, RFC 6531).</summary>
    public static void ParseMailParameters(ReadOnlySpan<byte> parameters, SmtpTransactionBuilder tx)
    {
        while (!parameters.IsEmpty)
        {
            parameters = TrimStart(parameters);
            int sp = parameters.IndexOfAny((byte)' ', (byte)'\t');
            var p = sp < 0 ? parameters : parameters[..sp];
            parameters = sp < 0 ? default : parameters[(sp + 1)..];
            if (p.IsEmpty) continue;
            int eq = p.IndexOf((byte)'=');
            var key = eq < 0 ? p : p[..eq];
            var value = eq < 0 ? default : p[(eq + 1)..];
            if (Is(key, "SIZE"u8))
            {
                if (TryParseDecimal(value, out long size)) tx.DeclaredSize = size;
            }
            else if (Is(key, "BODY"u8) && value.Length is > 0 and <= 16)
                tx.Body = Encoding.ASCII.GetString(value).ToUpperInvariant();
            else if (Is(key, "SMTPUTF8"u8))
                tx.SmtpUtf8 = true;
        }
    }

    /// <summary>
    /// "n [LAST]" of BDAT (RFC 3030 §2: chunk-size = 1*DIGIT, so any number of leading zeros is valid; Postfix takes
    /// "000…0067"). Leading zeros are skipped; a size of more than 18 significant digits is refused.
    /// </summary>
    public static bool TryParseBdat(ReadOnlySpan<byte> args, out long size, out bool last)
    {
        last = false;
        size = 0;
        args = args.Trim((byte)' ');
        int sp = args.IndexOfAny((byte)' ', (byte)'\t');
        var num = sp < 0 ? args : args[..sp];
        var rest = sp < 0 ? default : args[(sp + 1)..].Trim((byte)' ');
        int zeros = 0;
        while (zeros < num.Length - 1 && num[zeros] == '0') zeros++;
        if (!TryParseDecimal(num[zeros..], out size)) return false;
        if (rest.IsEmpty) return true;
        if (Is(rest, "LAST"u8)) { last = true; return true; }
        return false;
    }

    /// <summary>SASL mechanism name (RFC 4422 §3.1: up to 20 of A-Z 0-9 - _), upper-cased; "INVALID" otherwise.</summary>
    public static string ParseAuthMechanism(ReadOnlySpan<byte> args)
    {
        int sp = args.IndexOfAny((byte)' ', (byte)'\t');
        var mech = sp < 0 ? args : args[..sp];
        if (mech.IsEmpty || mech.Length > 20) return "INVALID";
        foreach (byte b in mech)
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_')) return "INVALID";
        return Encoding.ASCII.GetString(mech).ToUpperInvariant();
    }

    public static bool TryParseDecimal(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 18) return false;
        foreach (byte b in s)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + (b - '0');
        }
        return true;
    }

    // ASCII (the usual address) through the thread's recent strings: a session names the same few addresses again and again.
    public static string Decode(ReadOnlySpan<byte> s) =>
        s.IsEmpty ? string.Empty : System.Text.Ascii.IsValid(s) ? Mail.RecentStrings.GetAscii(s) : Encoding.UTF8.GetString(s);

    public static ReadOnlySpan<byte> TrimStart(ReadOnlySpan<byte> s)
    {
        int i = 0;
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\t') i++;
        return s[i..];
    }

    private static bool Is(ReadOnlySpan<byte> a, ReadOnlySpan<byte> upper) => System.Text.Ascii.EqualsIgnoreCase(a, upper);
}
