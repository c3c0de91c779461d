using System.Buffers;
using System.Globalization;
using System.Text;

namespace McpEgress.Export.Prometheus;

/// <summary>
/// Writes the Prometheus text exposition format, version 0.0.4, as UTF-8 into an <see cref="IBufferWriter{T}"/>:
/// <c># HELP name text</c>, <c># TYPE name counter|gauge</c>, then one <c>name{label="value",...} value</c> line per
/// series, each ended by a line feed. No timestamps: the scraper stamps samples itself.
/// </summary>
public sealed class PrometheusTextWriter
{
    /// <summary>The Content-Type of a 0.0.4 text exposition.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly IBufferWriter<byte> _output;

    public PrometheusTextWriter(IBufferWriter<byte> output) => _output = output;

    internal void WriteHelp(byte[] name, string help)
    {
        WriteRaw("# HELP "u8);
        WriteRaw(name);
        WriteRaw(" "u8);
        WriteUtf8(EscapeHelp(help));
        WriteRaw("\n"u8);
    }

    internal void WriteType(byte[] name, MetricType type)
    {
        WriteRaw("# TYPE "u8);
        WriteRaw(name);
        WriteRaw(type == MetricType.Counter ? " counter\n"u8 : " gauge\n"u8);
    }

    internal void WriteSample(byte[] name, byte[] labelText, long value)
    {
        WriteSampleHead(name, labelText);
        var span = _output.GetSpan(24);
        value.TryFormat(span, out int n, default, CultureInfo.InvariantCulture);
        _output.Advance(n);
        WriteRaw("\n"u8);
    }

    internal void WriteSample(byte[] name, byte[] labelText, double value)
    {
        WriteSampleHead(name, labelText);
        if (double.IsNaN(value)) WriteRaw("NaN"u8);
        else if (double.IsPositiveInfinity(value)) WriteRaw("+Inf"u8);
        else if (double.IsNegativeInfinity(value)) WriteRaw("-Inf"u8);
        else
        {
            // Shortest round-trip form ("0.5", "1E+20"); Go's strconv.ParseFloat, used by Prometheus, reads it back exactly.
            var span = _output.GetSpan(32);
            value.TryFormat(span, out int n, "R", CultureInfo.InvariantCulture);
            _output.Advance(n);
        }
        WriteRaw("\n"u8);
    }

    private void WriteSampleHead(byte[] name, byte[] labelText)
    {
        WriteRaw(name);
        WriteRaw(labelText);
        WriteRaw(" "u8);
    }

    private void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        var span = _output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        _output.Advance(bytes.Length);
    }

    private void WriteUtf8(string text)
    {
        var span = _output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    /// <summary>HELP text escaping: backslash as <c>\\</c>, line feed as <c>\n</c> (text format 0.0.4).</summary>
    public static string EscapeHelp(string help)
    {
        if (help.AsSpan().IndexOfAny('\\', '\n') < 0) return help;
        return help.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);
    }

    /// <summary>Label value escaping: backslash as <c>\\</c>, double quote as <c>\"</c>, line feed as <c>\n</c> (text format 0.0.4).</summary>
    public static string EscapeLabelValue(string value)
    {
        var sb = new StringBuilder(value.Length + 8);
        AppendEscapedLabelValue(sb, value);
        return sb.ToString();
    }

    internal static void AppendEscapedLabelValue(StringBuilder sb, string value)
    {
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append(@"\n"); break;
                default: sb.Append(c); break;
            }
        }
    }
}
