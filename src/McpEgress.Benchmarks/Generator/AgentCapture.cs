using System.Net;

namespace McpEgress.Benchmarks.Generator;

/// <summary>
/// Writes a capture shaped like an agent host's egress (<see cref="CaptureShape"/>) of about a target size, from
/// real client flows where it matters: copies of the real keyed TLS 1.3 Postmark captures (captures/api/postmark and
/// mcp-postmark-incident, the official postmark client; their key lines decrypt every copy), unkeyed TLS 1.3 uploads
/// built on the real handshake of those flows (<see cref="UnkeyedTlsUpload"/>), and scripted plain SMTP sessions
/// (<see cref="SmtpSessionScript"/>). Up to 16 flows are open at once and their packets interleave. Writes FILE,
/// FILE.expected.json (<see cref="ExpectedCounts"/>) and, for the keyed flows, the key log (FILE without .pcap + .keys).
/// </summary>
internal static class AgentCapture
{
    private const int Concurrency = 16;
    private const double BulkMailShare = 0.05;
    private static readonly IPAddress SmtpServer = IPAddress.Parse("10.100.0.25");
    private static readonly IPAddress PostmarkServer = IPAddress.Parse("10.100.0.43");

    public static string KeylogPathFor(string capture) => Path.ChangeExtension(capture, ".keys");

    public static ExpectedCounts Write(string path, CaptureShape shape, long targetBytes, string capturesDir, int seed = 1)
    {
        var rng = new Random(seed);
        RecordedCapture[] api =
        [
            RecordedCapture.Load(Path.Combine(capturesDir, "api", "postmark.pcap")),
            RecordedCapture.Load(Path.Combine(capturesDir, "api", "mcp-postmark-incident.pcap")),
        ];
        File.WriteAllText(KeylogPathFor(path), string.Concat(api.Select(a => File.ReadAllText(a.KeysPath).TrimEnd('\n') + "\n")));
        var upload = shape == CaptureShape.Bulk ? new UnkeyedTlsUpload(api[0].Flows[0], "uploads.blobstore.example", rng) : null;
        // Tiny captures (tests) get shorter uploads so that they still hold some of each kind of flow.
        int maxRecords = (int)Math.Clamp(targetBytes / 4 / (5 + UnkeyedTlsUpload.RecordBody), 1, 200);
        int minRecords = Math.Min(20, maxRecords);

        using var w = new PcapFrameWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20));
        var active = new List<OpenFlow>();
        long timeNs = 1_760_000_000_000_000_000, committed = 24, mailBytes = 0, bulkBytes = 0;
        long flows = 0, smtpMessages = 0, apiMessages = 0, apiRequests = 0, alerts = 0, keyed = 0, unkeyed = 0, smtpFlows = 0, nextId = 0;
        int apiCopies = 0;

        OpenFlow Open(List<FlowPacket> packets, IPAddress server, ushort serverPort)
        {
            long n = flows++;
            var client = new IPAddress([10, 0, (byte)(n / 28000 % 256), 5]);
            var e = new FlowEndpoints(client, (ushort)(32768 + n % 28000), server, serverPort);
            var f = new OpenFlow(e, (uint)rng.Next(), (uint)rng.Next(), packets);
            active.Add(f);
            committed += f.Bytes;
            return f;
        }

        while (true)
        {
            while (active.Count < Concurrency && committed < targetBytes)
            {
                bool mail = shape == CaptureShape.MailHeavy || mailBytes <= BulkMailShare * (mailBytes + bulkBytes);
                if (!mail)
                {
                    var turns = upload!.Turns(rng.Next(minRecords, maxRecords + 1), rng);
                    var server = new IPAddress([10, 100, 1, (byte)rng.Next(1, 255)]);
                    bulkBytes += Open(ScriptedFlow.Build(turns), server, 443).Bytes;
                    unkeyed++;
                }
                else if (rng.Next(2) == 0)
                {
                    var src = api[apiCopies++ % api.Length];
                    foreach (var flow in src.Flows) mailBytes += Open(flow, PostmarkServer, 443).Bytes;
                    apiMessages += src.Messages;
                    apiRequests += src.Requests;
                    alerts += src.Alerts;
                    keyed += src.Flows.Count;
                }
                else
                {
                    var hidden = Enumerable.Range(0, 1 + rng.Next(3)).Select(_ => (smtpMessages++ + 1) % 5 == 0).ToList();
                    alerts += hidden.Count(h => h) * SmtpSessionScript.AlertsPerHiddenMessage;
                    Func<int> lines = shape == CaptureShape.MailHeavy ? () => rng.Next(8, 13) : () => rng.Next(20, 400);
                    mailBytes += Open(ScriptedFlow.Build(SmtpSessionScript.Turns(hidden, lines, () => ++nextId)), SmtpServer, 587).Bytes;
                    smtpFlows++;
                }
            }
            if (active.Count == 0) break;
            int i = rng.Next(active.Count);
            var of = active[i];
            var p = of.Packets[of.Next++];
            timeNs += 2_000 + rng.Next(20_000);
            w.Write(timeNs, of.Endpoints, p.FromClient, p.RelSeq + (p.FromClient ? of.ClientIsn : of.ServerIsn),
                p.RelAck + (p.FromClient ? of.ServerIsn : of.ClientIsn), p.Flags, p.Payload);
            if (of.Next == of.Packets.Count) active.RemoveAt(i);
        }

        var counts = new ExpectedCounts
        {
            Shape = shape == CaptureShape.Bulk ? "bulk" : "mail-heavy",
            Bytes = w.FileBytes,
            Packets = w.Packets,
            Flows = flows,
            Messages = smtpMessages + apiMessages,
            SmtpMessages = smtpMessages,
            ApiMessages = apiMessages,
            ApiRequests = apiRequests,
            Alerts = alerts,
            KeyedTlsFlows = keyed,
            UnkeyedTlsFlows = unkeyed,
            SmtpFlows = smtpFlows,
            BulkBytes = bulkBytes,
            MailBytes = mailBytes,
            Keylog = Path.GetFileName(KeylogPathFor(path)),
        };
        counts.Save(path);
        return counts;
    }

    private sealed class OpenFlow(FlowEndpoints endpoints, uint clientIsn, uint serverIsn, List<FlowPacket> packets)
    {
        public FlowEndpoints Endpoints { get; } = endpoints;
        public uint ClientIsn { get; } = clientIsn;
        public uint ServerIsn { get; } = serverIsn;
        public List<FlowPacket> Packets { get; } = packets;
        public int Next { get; set; }
        public long Bytes { get; } = packets.Sum(p => 16L + 14 + 20 + 20 + p.Payload.Length);
    }
}
