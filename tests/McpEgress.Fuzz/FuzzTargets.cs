using System.Buffers.Binary;
using System.Text;
using McpEgress.Capture;
using McpEgress.Decode;
using McpEgress.Config;
using McpEgress.Detection;
using McpEgress.Protocols.Http;
using McpEgress.Protocols.Http.Hpack;
using McpEgress.Protocols.Imf;
using McpEgress.Protocols.MailApis;
using McpEgress.Protocols.Smtp;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;

namespace McpEgress.Fuzz;

/// <summary>
/// One harness per parser. Each runs its stage directly (never through MonitorPipeline, whose stage boundaries turn
/// exceptions into anomalies), so any exception that escapes is a finding. Only the exceptions a stage documents for
/// bad input (a capture that is not one, a config that is invalid) are caught here. Keep each harness short: the
/// APIs under it change, the harness should be easy to adapt.
/// </summary>
internal static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new SortedDictionary<string, Action<byte[]>>
    {
        ["pcap"] = Capture,
        ["pcapng"] = Capture,
        ["decode"] = Decode,
        ["reassembly"] = Reassembly,
        ["smtp"] = Smtp,
        ["imf"] = Imf,
        ["tls"] = Tls,
        ["keylog"] = KeyLog,
        ["http1"] = d => Http(d, alpn: null),
        ["http2"] = d => Http(d, alpn: "h2"),
        ["hpack"] = Hpack,
        ["mailapi"] = MailApi,
        ["config"] = Config,
    };

    private static readonly FuzzAnomalySink Anomalies = FuzzAnomalySink.Instance;

    // pcap and pcapng share the harness (the magic picks the reader); they differ by seeds.
    private static void Capture(byte[] input)
    {
        ICaptureReader reader;
        try { reader = CaptureFile.Open(new MemoryStream(input), null, new FuzzSinks(), Anomalies); }
        catch (CaptureFormatException) { return; } // not a capture: documented
        using (reader)
            while (reader.TryReadPacket(out _)) { }
    }

    // Byte 0 picks the link type; then frames, each a u16 little-endian length and that many bytes.
    private static readonly LinkType[] LinkTypes =
        [LinkType.Ethernet, LinkType.Raw, LinkType.Null, LinkType.Loop, LinkType.LinuxSll, LinkType.LinuxSll2, LinkType.Ipv4, LinkType.Ipv6];

    private static void Decode(byte[] input)
    {
        if (input.Length < 1) return;
        var decoder = new PacketDecoder(new DecoderOptions { MaxFragmentDatagrams = 4, MaxFragmentsPerDatagram = 8 }, Anomalies);
        var link = LinkTypes[input[0] % LinkTypes.Length];
        ReadOnlySpan<byte> rest = input.AsSpan(1);
        for (long ts = 1; rest.Length >= 2; ts += 1_000_000)
        {
            int n = Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(rest), rest.Length - 2);
            var frame = rest.Slice(2, n);
            rest = rest[(2 + n)..];
            decoder.Decode(new CapturedPacket(link, ts, frame.Length, 0, frame), out _);
        }
    }

    // Segments of two flows: [b0: bit0 direction, bit1 flow, bits 2-7 = FIN SYN RST PSH ACK URG][seq u32][ack u32]
    // [time step in 100 ms u8][payload length u8][payload]. Small limits so eviction and caps are reached.
    private static void Reassembly(byte[] input)
    {
        var r = new TcpReassembler(new ReassemblyOptions
        {
            MaxFlows = 2, MaxBufferedBytesPerDirection = 4096, MaxBufferedBytesTotal = 6144, MaxSegmentsPerDirection = 8,
            IdleTimeout = TimeSpan.FromSeconds(10), ClosedFlowLinger = TimeSpan.FromSeconds(1), AckAboveHoleGraceSegments = 2,
        }, new FuzzSinks(), Anomalies);
        ReadOnlySpan<byte> rest = input;
        long ts = 1;
        var client = IpAddress16.FromV4([10, 0, 0, 1]);
        var server = IpAddress16.FromV4([10, 0, 0, 2]);
        while (rest.Length >= 11)
        {
            byte b = rest[0];
            uint seq = BinaryPrimitives.ReadUInt32LittleEndian(rest[1..]), ack = BinaryPrimitives.ReadUInt32LittleEndian(rest[5..]);
            ts += rest[9] * 100_000_000L;
            int n = Math.Min(rest[10], rest.Length - 11);
            var payload = rest.Slice(11, n);
            rest = rest[(11 + n)..];
            var c = new Endpoint(client, (ushort)(40000 + ((b >> 1) & 1)));
            var s = new Endpoint(server, 25);
            bool toServer = (b & 1) == 0;
            r.Process(new TcpSegment(toServer ? c : s, toServer ? s : c, seq, ack, (TcpFlags)(b >> 2), 65535, ts, payload));
            r.AdvanceTime(ts);
        }
        r.CloseAll(ts + 1);
    }

    private static void Smtp(byte[] input)
    {
        var session = new SmtpSession(new SmtpOptions(), new FuzzSinks(), Anomalies);
        var chunks = new StreamChunks(input);
        long ts = 0;
        while (chunks.TryNext(out var dir, out var data, out int gap))
        {
            if (gap > 0) session.OnGap(dir, gap);
            else if (dir == FlowDirection.ClientToServer) session.OnClientData(data, ++ts);
            else session.OnServerData(data, ++ts);
        }
        session.OnClose(++ts);
    }

    private static void Imf(byte[] input) => MessageHeaders.Parse(input, null, Anomalies);

    private static readonly Lazy<TlsKeyLog> SeedKeys = new(() =>
    {
        var keys = new TlsKeyLog();
        using var s = typeof(FuzzTargets).Assembly.GetManifestResourceStream("tls-seeds.keys");
        if (s is not null) keys.AddText(new StreamReader(s).ReadToEnd());
        return keys;
    });

    // Both directions of a TLS connection; the seeds' key-log lines are loaded so seeds decrypt.
    private static void Tls(byte[] input)
    {
        using var session = new TlsSession(new TlsOptions(), SeedKeys.Value, new FuzzSinks(), Anomalies);
        var chunks = new StreamChunks(input);
        while (chunks.TryNext(out var dir, out var data, out int gap))
        {
            if (gap > 0) session.OnGap(dir, gap);
            else session.OnData(dir, data);
        }
        session.OnClose();
    }

    // Byte 0 cuts the text in two: the first part is added as an incomplete tail (a key log still being written).
    private static void KeyLog(byte[] input)
    {
        if (input.Length < 1) return;
        var keys = new TlsKeyLog(null, Anomalies);
        int cut = Math.Min(input[0], input.Length - 1);
        keys.AddBytes(input.AsSpan(1, cut), complete: false);
        keys.AddBytes(input.AsSpan(1 + cut), complete: true);
        keys.TryGetSecret(new byte[32], TlsSecretKind.MasterSecret, out _);
    }

    private static void Http(byte[] input, string? alpn)
    {
        var conn = new HttpConnection(new HttpOptions(), new FuzzSinks(), Anomalies, alpn);
        var chunks = new StreamChunks(input);
        long ts = 0;
        while (chunks.TryNext(out var dir, out var data, out int gap))
        {
            if (gap > 0) conn.OnGap(dir, gap, ++ts);
            else if (dir == FlowDirection.ClientToServer) conn.OnClientData(data, ++ts);
            else conn.OnServerData(data, ++ts);
        }
        conn.OnClose(++ts);
    }

    // Header blocks in sequence (chunk framing, direction ignored) through one decoder, so the dynamic table carries over.
    private static void Hpack(byte[] input)
    {
        var decoder = new HpackDecoder(tableSizeCap: 4096, maxListBytes: 16 * 1024, maxFields: 100);
        var fields = new List<KeyValuePair<string, string>>();
        var chunks = new StreamChunks(input);
        while (chunks.TryNext(out _, out var block, out _))
        {
            fields.Clear();
            if (decoder.Decode(block, fields) is not null) return; // after an error the decoder is done (RFC 7540 §4.3)
        }
    }

    // [route row u8][Content-Type]\n[body]: one request to a mail-API endpoint, the body read by its extractor.
    private static void MailApi(byte[] input)
    {
        if (input.Length < 1) return;
        var (method, host, path) = MailApiRoutes.Rows[input[0] % MailApiRoutes.Rows.Length];
        var rest = input.AsSpan(1);
        int nl = rest.IndexOf((byte)'\n');
        string? contentType = nl < 0 ? null : Encoding.UTF8.GetString(rest[..nl]);
        var request = new HttpRequestRecord
        {
            Version = "HTTP/1.1", Method = method, Target = path, Authority = host, Scheme = "https",
            ContentType = contentType, Body = rest[(nl + 1)..].ToArray(),
            Headers = contentType is null ? [new("host", host)] : [new("host", host), new("content-type", contentType)],
        };
        new MailApiExtractor(MailApiOptions.Default, Anomalies).Extract(request, host)?.Messages.ToList();
    }

    // [format: even yaml, odd json][text]
    private static void Config(byte[] input)
    {
        if (input.Length < 1) return;
        try { ConfigLoader.Parse(Encoding.UTF8.GetString(input, 1, input.Length - 1), (input[0] & 1) == 0 ? "yaml" : "json"); }
        catch (ConfigException) { } // an invalid config: documented
    }
}
