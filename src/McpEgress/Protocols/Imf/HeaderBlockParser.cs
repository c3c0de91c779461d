using System.Buffers;
using McpEgress.Diagnostics;

namespace McpEgress.Protocols.Imf;

/// <summary>
/// Splits an RFC 5322 header block into fields. The block is complete (the SMTP DATA or API layer collected it);
/// it may or may not include the empty line, and parsing stops at the first empty line. Loose like real MTAs:
/// CRLF or bare LF line ends, obs-fold (§4.2), whitespace between name and colon (§4.5.3 obs-optional), raw
/// 8-bit text. A bare CR is not a line end (Postfix and Sendmail read lines up to LF), it becomes a space.
/// Only fields the handler wants are turned into strings.
/// </summary>
public static class HeaderBlockParser
{
    public static HeaderBlockResult Parse<THandler>(ReadOnlySpan<byte> block, ref THandler handler,
        ImfOptions? options = null, IAnomalySink? anomalies = null)
        where THandler : IHeaderFieldHandler
    {
        var o = options ?? ImfOptions.Default;
        var data = block;
        bool truncated = false;
        if (data.Length > o.MaxHeaderBlockBytes)
        {
            data = data[..Math.Max(0, o.MaxHeaderBlockBytes)];
            truncated = true;
        }

        int pos = 0, fieldCount = 0;
        bool tooMany = false, end = false;
        // The field being collected: name [nameStart, nameEnd), raw value [valueStart, fieldEnd).
        int nameStart = -1, nameEnd = 0, valueStart = 0, fieldEnd = 0;
        bool want = false;

        while (pos < data.Length)
        {
            int lf = data[pos..].IndexOf((byte)'\n');
            int lineEnd = lf < 0 ? data.Length : pos + lf;
            int next = lf < 0 ? data.Length : lineEnd + 1;
            int contentEnd = lineEnd > pos && data[lineEnd - 1] == (byte)'\r' ? lineEnd - 1 : lineEnd;
            var line = data[pos..contentEnd];

            if (line.IsEmpty)
            {
                if (lf >= 0 || contentEnd < lineEnd) { end = true; pos = next; break; }
                pos = next;
                continue;
            }

            if (line[0] == (byte)' ' || line[0] == (byte)'\t')
            {
                // §2.2.3 folding: the field goes on.
                if (nameStart >= 0) fieldEnd = contentEnd;
                else if (!tooMany) anomalies?.Report(AnomalyStage.Imf, "header_continuation_without_field");
                pos = next;
                continue;
            }

            if (nameStart >= 0 && want) Emit(data, nameStart, nameEnd, valueStart, fieldEnd, ref handler, anomalies);
            nameStart = -1;
            want = false;

            if (tooMany) { pos = next; continue; }

            int colon = line.IndexOf((byte)':');
            if (colon < 0)
            {
                anomalies?.Report(AnomalyStage.Imf, "header_line_without_colon");
                pos = next;
                continue;
            }
            int nlen = colon;
            while (nlen > 0 && (line[nlen - 1] == (byte)' ' || line[nlen - 1] == (byte)'\t')) nlen--;
            var name = line[..nlen];
            if (nlen == 0 || !IsFieldName(name))
            {
                anomalies?.Report(AnomalyStage.Imf, "header_name_invalid");
                pos = next;
                continue;
            }
            if (nlen != colon) anomalies?.Report(AnomalyStage.Imf, "header_whitespace_before_colon");
            if (fieldCount >= o.MaxHeaderFields)
            {
                // Keep scanning for the empty line so BytesConsumed stays right, but keep no more fields.
                tooMany = true;
                anomalies?.Report(AnomalyStage.Imf, "too_many_header_fields");
                pos = next;
                continue;
            }
            fieldCount++;
            nameStart = pos;
            nameEnd = pos + nlen;
            valueStart = pos + colon + 1;
            fieldEnd = contentEnd;
            want = handler.Wants(name);
            pos = next;
        }

        if (nameStart >= 0 && want) Emit(data, nameStart, nameEnd, valueStart, fieldEnd, ref handler, anomalies);
        if (truncated && !end) anomalies?.Report(AnomalyStage.Imf, "header_block_too_large");
        return new HeaderBlockResult(fieldCount, pos, end);
    }

    /// <summary>Convenience: every field, in order.</summary>
    public static List<HeaderField> ParseAll(ReadOnlySpan<byte> block, ImfOptions? options = null, IAnomalySink? anomalies = null)
    {
        var h = new CollectAll { Fields = new List<HeaderField>() };
        Parse(block, ref h, options, anomalies);
        return h.Fields;
    }

    private struct CollectAll : IHeaderFieldHandler
    {
        public List<HeaderField> Fields;
        public readonly bool Wants(ReadOnlySpan<byte> name) => true;
        public readonly void OnField(HeaderField field) => Fields.Add(field);
    }

    // RFC 5322 §3.6.8: ftext is printable US-ASCII except colon (the colon is never inside the name here).
    private static bool IsFieldName(ReadOnlySpan<byte> name)
    {
        foreach (byte b in name)
            if (b <= 0x20 || b >= 0x7F) return false;
        return true;
    }

    private static void Emit<THandler>(ReadOnlySpan<byte> data, int nameStart, int nameEnd, int valueStart, int fieldEnd,
        ref THandler handler, IAnomalySink? anomalies) where THandler : IHeaderFieldHandler
    {
        string name = System.Text.Encoding.ASCII.GetString(data[nameStart..nameEnd]);
        var raw = data[valueStart..fieldEnd];
        string value;
        if (raw.IndexOfAny((byte)'\r', (byte)'\n') < 0)
        {
            value = HeaderText.Decode(Trim(raw));
        }
        else
        {
            // §2.2.3 unfolding: drop the line breaks, keep the whitespace after them.
            byte[] buf = ArrayPool<byte>.Shared.Rent(raw.Length);
            int n = 0;
            bool bareCr = false;
            for (int i = 0; i < raw.Length; i++)
            {
                byte b = raw[i];
                if (b == (byte)'\n') continue;
                if (b == (byte)'\r')
                {
                    if (i + 1 < raw.Length && raw[i + 1] == (byte)'\n') continue;
                    bareCr = true;
                    b = (byte)' ';
                }
                buf[n++] = b;
            }
            if (bareCr) anomalies?.Report(AnomalyStage.Imf, "header_bare_cr");
            value = HeaderText.Decode(Trim(buf.AsSpan(0, n)));
            ArrayPool<byte>.Shared.Return(buf);
        }
        if (value.Contains('\0')) anomalies?.Report(AnomalyStage.Imf, "header_nul_byte");
        handler.OnField(new HeaderField(name, value));
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        int a = 0, b = s.Length;
        while (a < b && (s[a] == (byte)' ' || s[a] == (byte)'\t')) a++;
        while (b > a && (s[b - 1] == (byte)' ' || s[b - 1] == (byte)'\t')) b--;
        return s[a..b];
    }
}
