using McpEgress.Diagnostics;
using MimeKit;

namespace McpEgress.Protocols.Imf;

/// <summary>
/// Parses one RFC 5322 header block with MimeKit's <see cref="MimeParser"/> (unfolding, obs-fold, bare LF, raw
/// 8-bit, lines without a colon end the block as in Postfix and Python). Only the header block is parsed, never a
/// body. The parser and its stream are kept per thread and reused: a new MimeParser per message costs its
/// buffers (measured in MessageBenchmarks).
/// </summary>
internal static class MimeHeaderBlock
{
    [ThreadStatic] private static FieldReader? t_reader;
    [ThreadStatic] private static MemoryStream? t_stream;

    /// <summary>
    /// MimeKit's reader with the fields collected in a list of its own: the same fields MimeParser.ParseHeaders gives,
    /// without the HeaderList it builds around them (a dictionary by name and a change handler per field).
    /// </summary>
    private sealed class FieldReader(ParserOptions options, Stream stream) : MimeReader(options, stream, MimeFormat.Entity)
    {
        public readonly List<Header> Fields = new();

        protected override void OnHeaderRead(Header header, int beginLineNumber, CancellationToken cancellationToken) => Fields.Add(header);
    }

    /// <summary>The fields of the block, in order. The list is this thread's and valid until its next call.</summary>
    public static IReadOnlyList<Header> Parse(ReadOnlySpan<byte> block, ImfOptions o, IAnomalySink? anomalies)
    {
        // MimeKit rejects a block whose first line is not a field (an mbox "From " line, an orphan continuation,
        // junk); Postfix and the old parser skipped such lines, so they are skipped here and counted.
        while (!block.IsEmpty && !StartsWithField(block))
        {
            anomalies?.Report(AnomalyStage.Imf, ImfAnomalies.HeaderLineWithoutColon);
            int lf = block.IndexOf((byte)'\n');
            if (lf < 0 || (lf == 0 || lf == 1 && block[0] == (byte)'\r')) return []; // no field, or the empty line
            block = block[(lf + 1)..];
        }
        var stream = t_stream ??= new MemoryStream(1024);
        stream.SetLength(0);
        stream.Write(block);
        if (block.IsEmpty || block[^1] != (byte)'\n') stream.Write("\r\n"u8); // a last field without its line end
        stream.Position = 0;
        var reader = t_reader;
        if (reader is null) t_reader = reader = new FieldReader(o.Parser, stream);
        else
        {
            reader.Options = o.Parser;
            reader.SetStream(stream, MimeFormat.Entity);
        }
        reader.Fields.Clear();
        try
        {
            reader.ReadHeaders();
            return reader.Fields;
        }
        finally
        {
            // Large blocks must not pin a large buffer to the thread.
            if (stream.Capacity > 64 * 1024) t_stream = null;
        }
    }

    // RFC 5322 §3.6.8 field-name (printable ASCII but ':'), optional obs-WSP (§4.5.3), then ':'.
    private static bool StartsWithField(ReadOnlySpan<byte> block)
    {
        int i = 0;
        while (i < block.Length && block[i] > 0x20 && block[i] < 0x7F && block[i] != (byte)':') i++;
        if (i == 0) return block[0] == (byte)'\n' || block.StartsWith("\r\n"u8); // the empty line ends the block: not junk
        while (i < block.Length && block[i] is (byte)' ' or (byte)'\t') i++;
        return i < block.Length && block[i] == (byte)':';
    }
}
