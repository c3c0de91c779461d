using System.Text.Json;
using McpEgress.Capture;
using PacketDotNet;

namespace McpEgress.Benchmarks.Generator;

/// <summary>
/// A real keyed capture (captures/api/X.pcap + X.keys + X.expected.json) cut into its TCP flows, packet by packet,
/// with sequence numbers made relative, so that copies can be replayed under new 4-tuples, ISNs and times. The key
/// log decrypts every copy: TLS secrets are looked up by the ClientHello's client_random, which the copies keep.
/// Per-copy counts come from the expected file, i.e. from what the capturing script told its client to send.
/// </summary>
internal sealed class RecordedCapture
{
    private RecordedCapture(string path, List<List<FlowPacket>> flows, int messages, int requests, int alerts, string keys)
    {
        Path = path;
        Flows = flows;
        Messages = messages;
        Requests = requests;
        Alerts = alerts;
        KeysPath = keys;
        Bytes = flows.Sum(f => f.Sum(p => 16 + 14 + 20 + 20 + p.Payload.Length));
    }

    public string Path { get; }
    public IReadOnlyList<List<FlowPacket>> Flows { get; }
    public int Messages { get; }
    /// <summary>HTTP requests in the capture (a batch call is one request and several messages).</summary>
    public int Requests { get; }
    public int Alerts { get; }
    public string KeysPath { get; }
    /// <summary>Bytes one copy adds to a generated pcap (record header, Ethernet, IPv4, TCP without options, payload).</summary>
    public long Bytes { get; }

    public static RecordedCapture Load(string pcapPath)
    {
        string stem = pcapPath[..pcapPath.LastIndexOf('.')];
        using var doc = JsonDocument.Parse(File.ReadAllText(stem + ".expected.json"));
        var msgs = doc.RootElement.GetProperty("messages");
        int alerts = msgs.EnumerateArray().Sum(m => m.GetProperty("expect_alerts").GetArrayLength());

        var byTuple = new Dictionary<(ushort, ushort), Raw>();
        var order = new List<Raw>();
        using (var reader = CaptureFile.Open(pcapPath))
        {
            while (reader.TryReadPacket(out var cp))
            {
                var packet = Packet.ParsePacket((LinkLayers)(int)cp.LinkType, cp.Data.ToArray());
                if (packet.Extract<TcpPacket>() is not { } tcp) continue;
                var key = tcp.SourcePort < tcp.DestinationPort ? (tcp.SourcePort, tcp.DestinationPort) : (tcp.DestinationPort, tcp.SourcePort);
                if (!byTuple.TryGetValue(key, out var raw))
                {
                    // The client is the SYN sender, else the side not on the well-known port.
                    bool synFromSource = tcp.Synchronize && !tcp.Acknowledgment;
                    raw = new Raw(synFromSource ? tcp.SourcePort : (tcp.SourcePort > tcp.DestinationPort ? tcp.SourcePort : tcp.DestinationPort));
                    byTuple[key] = raw;
                    order.Add(raw);
                }
                raw.Packets.Add((tcp.SourcePort == raw.ClientPort, (byte)tcp.Flags, tcp.SequenceNumber, tcp.AcknowledgmentNumber, tcp.PayloadData ?? []));
            }
        }
        return new RecordedCapture(pcapPath, order.Select(r => r.Relative()).ToList(), msgs.GetArrayLength(),
            doc.RootElement.GetProperty("requests").GetInt32(), alerts, stem + ".keys");
    }

    private sealed class Raw(ushort clientPort)
    {
        public ushort ClientPort { get; } = clientPort;
        public List<(bool FromClient, byte Flags, uint Seq, uint Ack, byte[] Payload)> Packets { get; } = [];

        public List<FlowPacket> Relative()
        {
            uint clientIsn = Packets.First(p => p.FromClient).Seq;
            uint serverIsn = Packets.First(p => !p.FromClient).Seq;
            return Packets.Select(p => new FlowPacket(p.FromClient, p.Flags,
                p.Seq - (p.FromClient ? clientIsn : serverIsn),
                p.Ack - (p.FromClient ? serverIsn : clientIsn), p.Payload)).ToList();
        }
    }
}
