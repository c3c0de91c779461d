namespace McpEgress.Protocols.Http;

/// <summary>
/// Recognises HTTP on the client's first bytes by structure: the HTTP/2 connection preface (RFC 7540 §3.5), or an
/// HTTP/1.x request line (RFC 7230 §3.1.1: token SP request-target SP HTTP/1.x CRLF).
/// </summary>
public static class HttpProbe
{
    /// <summary>"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".</summary>
    public static ReadOnlySpan<byte> Http2Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>Longest request line we wait for before answering <see cref="ProbeResult.NoMatch"/>.</summary>
    public const int MaxProbeLineBytes = 8 * 1024;

    public static ProbeResult Probe(ReadOnlySpan<byte> clientBytes)
    {
        var h2 = IsHttp2Preface(clientBytes);
        if (h2 != ProbeResult.NoMatch)
            return h2;
        if (clientBytes.IsEmpty)
            return ProbeResult.NeedMore;

        // Method: a token; checked byte by byte so garbage is rejected before a line end arrives.
        int i = 0;
        while (i < clientBytes.Length && IsTokenChar(clientBytes[i]))
            i++;
        if (i == clientBytes.Length)
            return i > 32 ? ProbeResult.NoMatch : ProbeResult.NeedMore;
        if (i == 0 || clientBytes[i] != ' ')
            return ProbeResult.NoMatch;

        int lf = clientBytes.IndexOf((byte)'\n');
        if (lf < 0)
        {
            foreach (byte b in clientBytes)
                if (b < 0x20 && b != '\r' || b == 0x7f)
                    return ProbeResult.NoMatch;
            return clientBytes.Length > MaxProbeLineBytes ? ProbeResult.NoMatch : ProbeResult.NeedMore;
        }
        var line = clientBytes[..lf];
        if (line.Length > 0 && line[^1] == '\r')
            line = line[..^1];
        return LooksLikeRequestLine(line) ? ProbeResult.Match : ProbeResult.NoMatch;
    }

    /// <summary>Match when the bytes start with the HTTP/2 client preface; use it (or ALPN "h2") to pick HTTP/2.</summary>
    public static ProbeResult IsHttp2Preface(ReadOnlySpan<byte> clientBytes)
    {
        var preface = Http2Preface;
        int n = Math.Min(clientBytes.Length, preface.Length);
        if (!clientBytes[..n].SequenceEqual(preface[..n]))
            return ProbeResult.NoMatch;
        return n == preface.Length ? ProbeResult.Match : ProbeResult.NeedMore;
    }

    /// <summary>A request line without its line end: method SP target SP HTTP/1.digit.</summary>
    internal static bool LooksLikeRequestLine(ReadOnlySpan<byte> line)
    {
        int sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0)
            return false;
        foreach (byte b in line[..sp1])
            if (!IsTokenChar(b))
                return false;
        var rest = line[(sp1 + 1)..];
        int sp2 = rest.LastIndexOf((byte)' ');
        if (sp2 <= 0)
            return false;
        foreach (byte b in rest[..sp2])
            if (b <= 0x20 || b == 0x7f)
                return false;
        var version = rest[(sp2 + 1)..];
        return version.Length == 8 && version.StartsWith("HTTP/1."u8) && char.IsAsciiDigit((char)version[7]);
    }

    /// <summary>tchar (RFC 7230 §3.2.6).</summary>
    internal static bool IsTokenChar(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
        || b is (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+'
            or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}
