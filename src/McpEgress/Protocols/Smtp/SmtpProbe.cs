namespace McpEgress.Protocols.Smtp;

/// <summary>
/// Recognises SMTP on any port from the first bytes of each direction, on structure: the server's first line is
/// a 220 greeting ("220" then space or hyphen, RFC 5321 §4.2), the client's first line is EHLO/HELO
/// (case-insensitive). FTP also greets with 220, so a client whose first line is clearly not SMTP vetoes.
/// </summary>
public static class SmtpProbe
{
    private const int MaxFirstLine = 1024;

    public static ProbeResult Probe(ReadOnlySpan<byte> clientBytes, ReadOnlySpan<byte> serverBytes)
    {
        var server = ProbeServer(serverBytes);
        var client = ProbeClient(clientBytes, out bool otherSmtpVerb);
        if (server == ProbeResult.NoMatch || client == ProbeResult.NoMatch) return ProbeResult.NoMatch;
        if (client == ProbeResult.Match) return ProbeResult.Match;
        if (server == ProbeResult.Match && (clientBytes.IsEmpty || otherSmtpVerb)) return ProbeResult.Match;
        return ProbeResult.NeedMore;
    }

    /// <summary>
    /// For a flow picked up mid-stream (no SYN seen: the capture started inside the session, so there is no banner
    /// or EHLO to see): a client line that opens a transaction (<c>MAIL FROM:</c>, RFC 5321 §4.1.1.2) and, when the
    /// server has spoken, a well-formed reply line (three digits 2xx-5xx, then space or hyphen). Stricter than the
    /// verb check of <see cref="Probe"/>, because no banner vouches for the flow.
    /// </summary>
    public static ProbeResult ProbeMidStream(ReadOnlySpan<byte> clientBytes, ReadOnlySpan<byte> serverBytes)
    {
        if (clientBytes.Length < 11) return ProbeResult.NeedMore;
        if (!System.Text.Ascii.EqualsIgnoreCase(clientBytes[..10], "MAIL FROM:"u8)) return ProbeResult.NoMatch;
        int lf = clientBytes.IndexOf((byte)'\n');
        if (lf < 0) return clientBytes.Length < MaxFirstLine ? ProbeResult.NeedMore : ProbeResult.NoMatch;
        if (clientBytes[..lf].IndexOf((byte)'@') < 0 && clientBytes[..lf].IndexOf("<>"u8) < 0) return ProbeResult.NoMatch;
        if (serverBytes.IsEmpty) return ProbeResult.Match;
        if (serverBytes.Length < 4) return ProbeResult.NeedMore;
        bool reply = serverBytes[0] is >= (byte)'2' and <= (byte)'5' && char.IsAsciiDigit((char)serverBytes[1])
            && char.IsAsciiDigit((char)serverBytes[2]) && serverBytes[3] is (byte)' ' or (byte)'-';
        return reply ? ProbeResult.Match : ProbeResult.NoMatch;
    }

    private static ProbeResult ProbeServer(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty) return ProbeResult.NeedMore;
        var prefix = "220"u8;
        int n = Math.Min(3, s.Length);
        if (!s[..n].SequenceEqual(prefix[..n])) return ProbeResult.NoMatch;
        if (s.Length < 4) return ProbeResult.NeedMore;
        if (s[3] is not ((byte)' ' or (byte)'-' or (byte)'\r' or (byte)'\n')) return ProbeResult.NoMatch;
        // The rest of the line must be text.
        int limit = Math.Min(s.Length, MaxFirstLine);
        for (int i = 4; i < limit; i++)
        {
            byte b = s[i];
            if (b == '\n') return ProbeResult.Match;
            if (b < 0x20 && b is not ((byte)'\r' or (byte)'\t')) return ProbeResult.NoMatch;
            if (b == 0x7f) return ProbeResult.NoMatch;
        }
        return s.Length >= MaxFirstLine ? ProbeResult.NoMatch : ProbeResult.NeedMore;
    }

    private static ProbeResult ProbeClient(ReadOnlySpan<byte> c, out bool otherSmtpVerb)
    {
        otherSmtpVerb = false;
        if (c.IsEmpty) return ProbeResult.NeedMore;
        int n = Math.Min(5, c.Length);
        var head = c[..n];
        if (IsPrefixOf(head, "EHLO "u8) || IsPrefixOf(head, "HELO "u8)) return n < 5 ? ProbeResult.NeedMore : ProbeResult.Match;
        if (n == 5 && (IsPrefixOf(c[..4], "EHLO"u8) || IsPrefixOf(c[..4], "HELO"u8)) && c[4] is (byte)'\r' or (byte)'\n')
            return ProbeResult.Match;
        // Other SMTP commands a client may open with (a session picked up late, or a bare QUIT).
        int lf = c.IndexOf((byte)'\n');
        if (lf < 0 && c.Length < 16)
        {
            return ProbeResult.NeedMore;
        }
        var line = lf < 0 ? c : c[..lf];
        if (!line.IsEmpty && line[^1] == '\r') line = line[..^1];
        var kind = SmtpCommandParser.ParseVerb(line, out _);
        if (kind is not (SmtpCommandKind.Unknown or SmtpCommandKind.Data or SmtpCommandKind.Bdat))
        {
            otherSmtpVerb = true;
            return ProbeResult.NeedMore;
        }
        return ProbeResult.NoMatch;
    }

    private static bool IsPrefixOf(ReadOnlySpan<byte> candidate, ReadOnlySpan<byte> upperWord) =>
        System.Text.Ascii.EqualsIgnoreCase(candidate, upperWord[..candidate.Length]);
}
