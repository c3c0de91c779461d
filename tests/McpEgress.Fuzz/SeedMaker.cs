using System.Security.Cryptography;
using System.Text;
using McpEgress.Capture;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using McpEgress.Protocols.Http;
using McpEgress.Protocols.Smtp;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;

namespace McpEgress.Fuzz;

/// <summary>
/// Writes seed corpora for every target from the repository's real captures: each capture is read, decoded and
/// reassembled by the library itself, flows are told apart by content (220 banner, ClientHello, HTTP/2 preface,
/// request line), keyed TLS flows are decrypted with their key logs, and the requests inside become HTTP and
/// mail-API seeds. Small on purpose (afl-fuzz is fastest with small seeds): each seed is capped.
/// </summary>
internal static class SeedMaker
{
    private const int MaxSeed = 12 * 1024;
    private const int MaxPerTarget = 24;

    private sealed class Quiet : IAnomalySink { public void Report(string stage, string name) { } }

    private sealed class FlowRecorder : ITcpStreamHandler
    {
        public readonly Dictionary<long, List<(FlowDirection Dir, byte[] Data)>> Flows = new();
        public void OnFlowOpened(TcpFlow flow) => Flows[flow.Id] = [];
        public void OnData(TcpFlow flow, FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs)
        {
            var list = Flows[flow.Id];
            if (list.Sum(c => c.Data.Length) < 64 * 1024) list.Add((direction, data.ToArray()));
        }
        public void OnGap(TcpFlow flow, FlowDirection direction, long missingBytes, long timestampNs) { }
        public void OnFlowClosed(TcpFlow flow, FlowCloseReason reason, long timestampNs) { }
    }

    private sealed class TlsRecorder : ITlsSessionHandler, IHttpExchangeHandler, ISmtpTransactionHandler, IDecryptionSecretsSink
    {
        public readonly List<(FlowDirection Dir, byte[] Data)> Plain = [];
        public readonly List<HttpRequestRecord> Requests = [];
        public readonly List<byte[]> HeaderBlocks = [];
        public readonly StringBuilder Secrets = new();
        public void OnHandshakeComplete(TlsSessionInfo info) { }
        public void OnPlaintext(FlowDirection direction, ReadOnlySpan<byte> plaintext) => Plain.Add((direction, plaintext.ToArray()));
        public void OnDecryptionFailed(FlowDirection direction, string reason) { }
        public void OnRequest(HttpRequestRecord request) => Requests.Add(request);
        public void OnTransaction(SmtpTransaction t) { if (t.HeaderBlock.Length > 0) HeaderBlocks.Add(t.HeaderBlock); }
        public void OnSecrets(uint secretsType, ReadOnlySpan<byte> data) => Secrets.Append(Encoding.UTF8.GetString(data)).Append('\n');
    }

    private static string _out = "";
    private static readonly Dictionary<string, int> Counts = new();
    private static readonly StringBuilder SeedKeys = new();
    private static readonly Quiet Q = new();
    private static readonly Dictionary<string, int> PerFile = new(); // target -> seeds from the current capture
    private const int MaxPerCapture = 2;

    public static int Run(string capturesDir, string outDir)
    {
        _out = outDir;
        var captures = Directory.EnumerateFiles(capturesDir, "*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".pcap") || f.EndsWith(".pcapng")) && !f.Contains("node_modules")).Order().ToList();
        foreach (var file in captures)
        {
            try { FromCapture(file); }
            catch (Exception e) { Console.Error.WriteLine($"{file}: {e.Message}"); }
        }
        PerFile.Clear();
        foreach (var yaml in Directory.EnumerateFiles(Path.Combine(capturesDir, "..", "src", "McpEgress", "Config"), "*.yaml"))
            Save("config", [0, .. File.ReadAllBytes(yaml)]);
        Save("config", [1, .. """{"detection":{"denied_domains":["giftshop.club"],"allowed_hidden_domains":["archive.partner.example"],"rules":{"denied-domain":{"enabled":true,"severity":"critical"}}},"limits":{"reassembly":{"max_flows":65536,"idle_timeout":"5m"}},"watch":{"interfaces":["any"],"rotate_keep":5}}"""u8]);
        PerFile.Clear();
        Save("config", [0, .. "detection:\n  denied_domains: [giftshop.club]\nwatch:\n  interfaces: [lo, eth0]\n  keylogs: [/run/mcp-egress/keys/*.keys]\n  metrics_listen: 127.0.0.1:9464\nlimits:\n  smtp: { max_line_bytes: 8192 }\n  http: { max_body_bytes: 1048576 }\n"u8]);
        File.WriteAllText(Path.Combine(outDir, "..", "tls-seeds.keys"), SeedKeys.ToString());
        foreach (var (t, n) in Counts.OrderBy(k => k.Key)) Console.WriteLine($"{t,-12} {n} seeds");
        return 0;
    }

    private static void FromCapture(string file)
    {
        PerFile.Clear();
        var tlsRec = new TlsRecorder();
        var flows = new FlowRecorder();
        var decoder = new PacketDecoder(DecoderOptions.Default, Q);
        var reassembler = new TcpReassembler(new ReassemblyOptions(), flows, Q);
        var frames = new MemoryStream();
        var segments = new MemoryStream();
        int frameCount = 0, segmentCount = 0;
        LinkType link = LinkType.Ethernet;
        using (var reader = CaptureFile.Open(file, null, tlsRec, Q))
        {
            while (reader.TryReadPacket(out var p))
            {
                link = p.LinkType;
                if (frameCount++ < 12)
                {
                    frames.Write(BitConverter.GetBytes((ushort)p.Data.Length));
                    frames.Write(p.Data);
                }
                if (decoder.Decode(p, out var seg) == DecodeResult.Tcp && segmentCount++ < 24)
                {
                    int n = Math.Min(seg.Payload.Length, 255);
                    byte b = (byte)(((int)seg.Flags & 0x3f) << 2 | (seg.Source.Port is 25 or 465 or 587 or 443 or 2525 or 8443 ? 1 : 0));
                    segments.WriteByte(b);
                    segments.Write(BitConverter.GetBytes(seg.Sequence));
                    segments.Write(BitConverter.GetBytes(seg.Acknowledgment));
                    segments.WriteByte(0);
                    segments.WriteByte((byte)n);
                    segments.Write(seg.Payload[..n]);
                }
                if (decoder.Decode(p, out var s2) == DecodeResult.Tcp) reassembler.Process(s2);
            }
        }
        reassembler.CloseAll(long.MaxValue / 2);
        int linkIndex = Array.IndexOf([LinkType.Ethernet, LinkType.Raw, LinkType.Null, LinkType.Loop, LinkType.LinuxSll, LinkType.LinuxSll2, LinkType.Ipv4, LinkType.Ipv6], link);
        if (linkIndex >= 0) Save("decode", [(byte)linkIndex, .. frames.ToArray()]);
        Save("reassembly", segments.ToArray());
        var raw = File.ReadAllBytes(file);
        Save(file.EndsWith(".pcapng") ? "pcapng" : "pcap", raw.AsSpan(0, Math.Min(raw.Length, 6 * 1024)).ToArray());

        var keys = new TlsKeyLog();
        string keyFile = Path.ChangeExtension(file, ".keys");
        string keyText = (File.Exists(keyFile) ? File.ReadAllText(keyFile) : "") + "\n" + tlsRec.Secrets;
        keys.AddText(keyText);
        if (File.Exists(keyFile)) Save("keylog", [40, .. Encoding.UTF8.GetBytes(string.Join('\n', keyText.Split('\n').Take(6)))]);

        foreach (var chunks in flows.Flows.Values.Take(6))
        {
            if (chunks.Count == 0) continue;
            var client = chunks.FirstOrDefault(c => c.Dir == FlowDirection.ClientToServer).Data ?? [];
            var server = chunks.FirstOrDefault(c => c.Dir == FlowDirection.ServerToClient).Data ?? [];
            if (server.AsSpan().StartsWith("220"u8)) FromSmtp(chunks, keys);
            else if (client.Length > 5 && client[0] == 0x16 && client[1] == 3) FromTls(chunks, keys, keyText);
            else FromPlain(chunks);
        }
    }

    private static byte[] Framed(IEnumerable<(FlowDirection Dir, byte[] Data)> chunks)
    {
        var ms = new MemoryStream();
        foreach (var (dir, data) in chunks)
        {
            if (ms.Length + data.Length > MaxSeed) break;
            StreamChunks.Write(ms, dir, data);
        }
        return ms.ToArray();
    }

    private static void FromSmtp(List<(FlowDirection Dir, byte[] Data)> chunks, TlsKeyLog keys)
    {
        Save("smtp", Framed(chunks));
        var rec = new TlsRecorder();
        var smtp = new SmtpSession(new SmtpOptions(), rec, Q);
        foreach (var (dir, data) in chunks)
            if (dir == FlowDirection.ClientToServer) smtp.OnClientData(data, 1); else smtp.OnServerData(data, 1);
        smtp.OnClose(2);
        foreach (var h in rec.HeaderBlocks) Save("imf", h);
    }

    private static void FromTls(List<(FlowDirection Dir, byte[] Data)> chunks, TlsKeyLog keys, string keyText)
    {
        var rec = new TlsRecorder();
        using (var tls = new TlsSession(new TlsOptions(), keys, rec, Q))
        {
            foreach (var (dir, data) in chunks) tls.OnData(dir, data);
            tls.OnClose();
        }
        if (Save("tls", Framed(chunks)))
        {
            // Key-log lines of this connection only (matched by client random), so the seed decrypts in the harness.
            var hello = chunks[0].Data;
            if (hello.Length > 43)
            {
                string random = Convert.ToHexStringLower(hello.AsSpan(11, 32));
                foreach (var line in keyText.Split('\n'))
                    if (line.Contains(random, StringComparison.OrdinalIgnoreCase)) SeedKeys.Append(line.Trim()).Append('\n');
            }
        }
        if (rec.Plain.Count > 0) FromPlain(rec.Plain);
    }

    private static void FromPlain(List<(FlowDirection Dir, byte[] Data)> chunks)
    {
        var client = chunks.FirstOrDefault(c => c.Dir == FlowDirection.ClientToServer).Data ?? [];
        bool h2 = client.AsSpan().StartsWith("PRI * HTTP/2.0"u8);
        bool h1 = !h2 && client.Length > 4 && client.AsSpan(0, 4).IndexOfAnyExceptInRange((byte)'A', (byte)'Z') < 0;
        if (!h1 && !h2) return;
        Save(h2 ? "http2" : "http1", Framed(chunks));
        var rec = new TlsRecorder();
        var http = new HttpConnection(new HttpOptions(), rec, Q, h2 ? "h2" : null);
        foreach (var (dir, data) in chunks)
            if (dir == FlowDirection.ClientToServer) http.OnClientData(data, 1); else http.OnServerData(data, 1);
        http.OnClose(2);
        foreach (var r in rec.Requests)
        {
            string host = (r.Authority ?? r.GetHeader("host") ?? "").Split(':')[0];
            int row = MailApiRoutes.Find(host, r.Target);
            if (row < 0) { Console.Error.WriteLine($"no mail-API route for {r.Method} {host}{r.Target}"); continue; }
            if (r.Body.Length > MaxSeed) continue;
            Save("mailapi", [(byte)row, .. Encoding.UTF8.GetBytes(r.ContentType ?? r.GetHeader("content-type") ?? ""), (byte)'\n', .. r.Body.Span]);
            if (r.ContentType?.Contains("rfc822") == true || r.ContentType?.Contains("message/") == true)
            {
                int end = r.Body.Span.IndexOf("\r\n\r\n"u8);
                if (end > 0) Save("imf", r.Body.Span[..(end + 4)].ToArray());
            }
        }
        // HPACK: the client's header blocks are inside HEADERS frames; the whole h2 seed is a fair hpack seed too.
        if (h2) Save("hpack", Framed(chunks.Where(c => c.Dir == FlowDirection.ClientToServer).Take(1)));
    }

    private static bool Save(string target, byte[] data)
    {
        if (data.Length == 0 || data.Length > MaxSeed + 64) return false;
        Counts.TryGetValue(target, out int n);
        if (n >= MaxPerTarget) return false;
        PerFile.TryGetValue(target, out int f);
        if (f >= MaxPerCapture) return false;
        string dir = Path.Combine(_out, target);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, Convert.ToHexStringLower(SHA256.HashData(data))[..16]);
        if (File.Exists(path)) return false;
        File.WriteAllBytes(path, data);
        Counts[target] = n + 1;
        PerFile[target] = f + 1;
        return true;
    }
}
