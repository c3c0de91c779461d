using System.Text;
using McpEgress.Diagnostics;

namespace McpEgress.Protocols.MailApis.Bodies;

/// <summary>
/// A bounded parser for multipart bodies (RFC 2046 §5.1.1; form-data RFC 7578; related RFC 2387) held whole in memory.
/// Delimiters are "--boundary" at the start of the body or after a line break (CRLF, or a bare LF as sloppy clients
/// send); the line break before a delimiter belongs to the delimiter. Part bodies are slices of the input, not copies.
/// A missing close delimiter or missing first delimiter is reported as <c>multipart_malformed</c>; complete parts
/// found are kept, an unterminated last part is dropped.
/// </summary>
public static class MultipartParser
{
    /// <summary>Largest part header block read; longer header blocks end the part's headers early. RFC 7578 parts carry
    /// two or three short fields.</summary>
    private const int MaxPartHeaderBytes = 16 * 1024;

    public static List<MultipartPart> Parse(ReadOnlyMemory<byte> body, string boundary, int maxParts,
        IAnomalySink? anomalies, out bool malformed)
    {
        var parts = new List<MultipartPart>();
        malformed = false;
        // RFC 2046 §5.1.1: 1-70 characters.
        if (boundary.Length is 0 or > 200)
        {
            malformed = true;
            anomalies?.Report(AnomalyStage.MailApi, MailApiAnomalies.MultipartMalformed);
            return parts;
        }
        byte[] delimiter = Encoding.Latin1.GetBytes("--" + boundary);
        var span = body.Span;

        int pos = FindDelimiter(span, 0, delimiter, out _);
        if (pos < 0)
        {
            malformed = true;
            anomalies?.Report(AnomalyStage.MailApi, MailApiAnomalies.MultipartMalformed);
            return parts;
        }
        int cursor = pos + delimiter.Length;
        bool closed = false;
        while (true)
        {
            // After a delimiter: "--" closes; otherwise transport padding then a line break.
            if (cursor + 1 < span.Length && span[cursor] == '-' && span[cursor + 1] == '-')
            {
                closed = true;
                break;
            }
            int eol = span[cursor..].IndexOf((byte)'\n');
            if (eol < 0) break;
            int partStart = cursor + eol + 1;
            int next = FindDelimiter(span, partStart, delimiter, out int breakStart);
            // A part with no delimiter after it was cut (capture gap, size limit): its bytes can't be trusted
            // to be whole (a cut address is a different address), so it is dropped.
            if (next < 0) break;
            int partEnd = breakStart;
            if (parts.Count >= maxParts)
            {
                anomalies?.Report(AnomalyStage.MailApi, MailApiAnomalies.TooManyMultipartParts);
                closed = true; // the cut is ours, not the sender's
                break;
            }
            parts.Add(ReadPart(body.Slice(partStart, partEnd - partStart)));
            cursor = next + delimiter.Length;
        }
        if (!closed)
        {
            malformed = true;
            anomalies?.Report(AnomalyStage.MailApi, MailApiAnomalies.MultipartMalformed);
        }
        return parts;
    }

    /// <summary>Index of the next delimiter at or after <paramref name="from"/> that starts a line; <paramref name="breakStart"/>
    /// is where the line break before it begins (the end of the previous part).</summary>
    private static int FindDelimiter(ReadOnlySpan<byte> span, int from, byte[] delimiter, out int breakStart)
    {
        int i = from;
        while (i <= span.Length - delimiter.Length)
        {
            int hit = span[i..].IndexOf(delimiter);
            if (hit < 0) break;
            int at = i + hit;
            if (at == 0 || (at == from && from == 0))
            {
                breakStart = at;
                return at;
            }
            if (span[at - 1] == '\n')
            {
                breakStart = at >= 2 && span[at - 2] == '\r' ? at - 2 : at - 1;
                // A part that is empty starts right at the delimiter line; never end before it starts.
                if (breakStart < from) breakStart = from;
                return at;
            }
            if (at == from)
            {
                // The part begins with the delimiter (empty body with no line break): still a delimiter.
                breakStart = at;
                return at;
            }
            i = at + 1;
        }
        breakStart = -1;
        return -1;
    }

    private static MultipartPart ReadPart(ReadOnlyMemory<byte> raw)
    {
        var part = new MultipartPart();
        var span = raw.Span;
        int i = 0;
        string? lastName = null;
        var lastValue = new StringBuilder();
        int limit = Math.Min(span.Length, MaxPartHeaderBytes);
        while (i < limit)
        {
            int eol = span[i..].IndexOf((byte)'\n');
            int lineEnd = eol < 0 ? span.Length : i + eol;
            var line = span[i..lineEnd];
            if (!line.IsEmpty && line[^1] == '\r') line = line[..^1];
            int nextLine = eol < 0 ? span.Length : lineEnd + 1;
            if (line.IsEmpty)
            {
                i = nextLine;
                Flush(part, ref lastName, lastValue);
                part.Body = raw[i..];
                Finish(part);
                return part;
            }
            if ((line[0] == ' ' || line[0] == '\t') && lastName is not null)
            {
                lastValue.Append(' ').Append(Encoding.UTF8.GetString(line).Trim());
            }
            else
            {
                Flush(part, ref lastName, lastValue);
                int colon = line.IndexOf((byte)':');
                if (colon <= 0)
                {
                    // Not a header line: the part has no header block (sloppy senders); all of it is body.
                    part.Headers.Clear();
                    part.Body = raw;
                    return part;
                }
                lastName = Encoding.Latin1.GetString(line[..colon]).Trim();
                lastValue.Append(Encoding.UTF8.GetString(line[(colon + 1)..]).Trim());
            }
            i = nextLine;
        }
        // No blank line: headers only, empty body.
        Flush(part, ref lastName, lastValue);
        part.Body = ReadOnlyMemory<byte>.Empty;
        Finish(part);
        return part;
    }

    private static void Flush(MultipartPart part, ref string? name, StringBuilder value)
    {
        if (name is not null) part.Headers.Add(new(name, value.ToString()));
        name = null;
        value.Clear();
    }

    private static void Finish(MultipartPart part)
    {
        part.ContentType = part.GetHeader("Content-Type");
        var cd = part.GetHeader("Content-Disposition");
        if (cd is not null)
        {
            var d = MediaType.Parse(cd);
            part.Name = d.Parameter("name");
            part.FileName = d.Parameter("filename");
        }
    }
}
