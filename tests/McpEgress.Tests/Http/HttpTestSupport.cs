using System.Runtime.CompilerServices;
using System.Text;
using McpEgress.Diagnostics;
using McpEgress.Protocols.Http;
using McpEgress.Protocols.Http.Hpack;

namespace McpEgress.Tests.Http;

internal sealed class RecordingHandler : IHttpExchangeHandler
{
    public List<HttpRequestRecord> Requests { get; } = new();
    public void OnRequest(HttpRequestRecord request) => Requests.Add(request);
}

internal static class Bytes
{
    public static byte[] Ascii(string s) => Encoding.Latin1.GetBytes(s);

    public static byte[] Hex(string hex) => Convert.FromHexString(new string(hex.Where(char.IsAsciiHexDigit).ToArray()));

    public static string Utf8(ReadOnlyMemory<byte> b) => Encoding.UTF8.GetString(b.Span);

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static string DataDir([CallerFilePath] string file = "") => Path.Combine(Path.GetDirectoryName(file)!, "Data");
}

/// <summary>Summary of a record for comparing runs (every split point must give the same list).</summary>
internal static class RecordText
{
    public static string Of(HttpRequestRecord r) =>
        $"{r.Version}|{r.Method}|{r.Target}|{r.Authority}|{r.Scheme}|{r.StreamId}|{r.ResponseStatus}|{r.BodyTruncated}|{r.Incomplete}|{r.BodyDecodeError}|"
        + string.Join(";", r.Headers.Select(h => h.Key + "=" + h.Value)) + "|" + Convert.ToHexString(r.Body.Span);

    public static string Of(IEnumerable<HttpRequestRecord> rs) => string.Join("\n", rs.Select(Of));
}

/// <summary>Builds HTTP/2 frames (RFC 7540 §4.1) for tests.</summary>
internal static class H2
{
    public static byte[] Preface => HttpProbe.Http2Preface.ToArray();

    public static byte[] Frame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var f = new byte[9 + payload.Length];
        f[0] = (byte)(payload.Length >> 16);
        f[1] = (byte)(payload.Length >> 8);
        f[2] = (byte)payload.Length;
        f[3] = type;
        f[4] = flags;
        f[5] = (byte)((streamId >> 24) & 0x7f);
        f[6] = (byte)(streamId >> 16);
        f[7] = (byte)(streamId >> 8);
        f[8] = (byte)streamId;
        payload.CopyTo(f.AsSpan(9));
        return f;
    }

    public static byte[] Settings(params (ushort Id, uint Value)[] settings)
    {
        var p = new byte[settings.Length * 6];
        for (int i = 0; i < settings.Length; i++)
        {
            p[i * 6] = (byte)(settings[i].Id >> 8);
            p[i * 6 + 1] = (byte)settings[i].Id;
            p[i * 6 + 2] = (byte)(settings[i].Value >> 24);
            p[i * 6 + 3] = (byte)(settings[i].Value >> 16);
            p[i * 6 + 4] = (byte)(settings[i].Value >> 8);
            p[i * 6 + 5] = (byte)settings[i].Value;
        }
        return Frame(0x4, 0, 0, p);
    }

    public static byte[] SettingsAck => Frame(0x4, 0x1, 0, []);

    public static byte[] Headers(int streamId, byte[] block, bool endStream, bool endHeaders = true) =>
        Frame(0x1, (byte)((endStream ? 0x1 : 0) | (endHeaders ? 0x4 : 0)), streamId, block);

    public static byte[] Continuation(int streamId, byte[] block, bool endHeaders) =>
        Frame(0x9, (byte)(endHeaders ? 0x4 : 0), streamId, block);

    public static byte[] Data(int streamId, string text, bool endStream) =>
        Frame(0x0, (byte)(endStream ? 0x1 : 0), streamId, Encoding.UTF8.GetBytes(text));

    public static byte[] RstStream(int streamId, uint code = 8) =>
        Frame(0x3, 0, streamId, [(byte)(code >> 24), (byte)(code >> 16), (byte)(code >> 8), (byte)code]);

    public static byte[] GoAway(int lastStreamId) =>
        Frame(0x7, 0, 0, [(byte)(lastStreamId >> 24), (byte)(lastStreamId >> 16), (byte)(lastStreamId >> 8), (byte)lastStreamId, 0, 0, 0, 0]);

    public static byte[] WindowUpdate(int streamId, int increment) =>
        Frame(0x8, 0, streamId, [(byte)(increment >> 24), (byte)(increment >> 16), (byte)(increment >> 8), (byte)increment]);

    public static byte[] Ping => Frame(0x6, 0, 0, new byte[8]);
}

/// <summary>
/// Minimal HPACK encoder for tests (RFC 7541): literals with incremental indexing (so the decoder's dynamic table is
/// exercised), optional Huffman, indexed fields when the exact pair is in our own copy of the table.
/// </summary>
internal sealed class TestHpackEncoder
{
    private readonly HpackDynamicTable _table = new(4096);
    public bool Huffman { get; set; }

    public byte[] SizeUpdate(int size)
    {
        _table.SetMaxSize(size);
        var o = new List<byte>();
        WriteInteger(o, 0x20, 5, size);
        return o.ToArray();
    }

    public byte[] Encode(params (string Name, string Value)[] fields) => Encode(prefix: [], fields);

    public byte[] Encode(byte[] prefix, params (string Name, string Value)[] fields)
    {
        var o = new List<byte>(prefix);
        foreach (var (name, value) in fields)
        {
            int idx = Find(name, value);
            if (idx > 0)
            {
                WriteInteger(o, 0x80, 7, idx);
                continue;
            }
            o.Add(0x40);
            WriteString(o, name);
            WriteString(o, value);
            _table.Insert(new(name, value));
        }
        return o.ToArray();
    }

    private int Find(string name, string value)
    {
        for (int i = 1; i <= _table.Count; i++)
            if (_table[i].Key == name && _table[i].Value == value)
                return 61 + i;
        return 0;
    }

    private void WriteString(List<byte> o, string s)
    {
        var raw = Encoding.Latin1.GetBytes(s);
        if (!Huffman)
        {
            WriteInteger(o, 0x00, 7, raw.Length);
            o.AddRange(raw);
            return;
        }
        var bits = new List<bool>();
        foreach (byte b in raw)
        {
            var (code, len) = HpackHuffmanCodes(b);
            for (int i = len - 1; i >= 0; i--)
                bits.Add(((code >> i) & 1) != 0);
        }
        while (bits.Count % 8 != 0)
            bits.Add(true); // EOS prefix padding
        var enc = new byte[bits.Count / 8];
        for (int i = 0; i < bits.Count; i++)
            if (bits[i])
                enc[i / 8] |= (byte)(0x80 >> (i % 8));
        WriteInteger(o, 0x80, 7, enc.Length);
        o.AddRange(enc);
    }

    private static (uint Code, int Length) HpackHuffmanCodes(byte b) => HpackHuffmanAccess.Code(b);

    public static void WriteInteger(List<byte> o, byte flags, int prefixBits, int value)
    {
        int max = (1 << prefixBits) - 1;
        if (value < max)
        {
            o.Add((byte)(flags | value));
            return;
        }
        o.Add((byte)(flags | max));
        value -= max;
        while (value >= 128)
        {
            o.Add((byte)(value % 128 + 128));
            value /= 128;
        }
        o.Add((byte)value);
    }
}

internal static class HpackHuffmanAccess
{
    public static (uint Code, int Length) Code(int symbol) => HpackHuffman.Codes[symbol];
}
