using System.Buffers.Binary;
using System.Text;

namespace McpEgress.Tests.Pipeline;

/// <summary>
/// Writes one TCP conversation (handshake, the given client/server payloads in order, FIN) as an Ethernet/IPv4 pcap,
/// segments of at most 1400 bytes, so whole-pipeline tests can replay transcripts too large for a byte literal.
/// </summary>
internal sealed class ConversationPcap
{
    private readonly List<(bool FromClient, byte[] Data)> _steps = [];

    public ConversationPcap Client(string text) => Client(Encoding.ASCII.GetBytes(text));
    public ConversationPcap Client(byte[] data) { _steps.Add((true, data)); return this; }
    public ConversationPcap Server(string text) { _steps.Add((false, Encoding.ASCII.GetBytes(text))); return this; }

    public string WriteTemp(ushort serverPort = 25)
    {
        var path = Path.Combine(Path.GetTempPath(), $"conversation-{Guid.NewGuid():N}.pcap");
        using var f = File.Create(path);
        var header = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xa1b2c3d4);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 1);
        f.Write(header);

        uint clientSeq = 1000, serverSeq = 5000;
        int t = 0;
        void Packet(bool fromClient, byte flags, ReadOnlySpan<byte> payload)
        {
            var frame = new byte[14 + 20 + 20 + payload.Length];
            frame[12] = 0x08; // IPv4
            var ip = frame.AsSpan(14);
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(40 + payload.Length));
            ip[8] = 64;
            ip[9] = 6;
            byte[] client = [10, 0, 0, 1], server = [10, 0, 0, 2];
            (fromClient ? client : server).CopyTo(ip[12..]);
            (fromClient ? server : client).CopyTo(ip[16..]);
            var tcp = ip[20..];
            BinaryPrimitives.WriteUInt16BigEndian(tcp, fromClient ? (ushort)40000 : serverPort);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], fromClient ? serverPort : (ushort)40000);
            BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], fromClient ? clientSeq : serverSeq);
            BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], fromClient ? serverSeq : clientSeq);
            tcp[12] = 0x50;
            tcp[13] = flags;
            tcp[14] = 0xff;
            payload.CopyTo(tcp[20..]);
            uint advance = (uint)payload.Length + ((flags & 0x03) != 0 ? 1u : 0u); // SYN and FIN take a number
            if (fromClient) clientSeq += advance; else serverSeq += advance;

            var record = new byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(record, 1_700_000_000 + (uint)(t / 1000));
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), (uint)(t++ % 1000) * 1000);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), (uint)frame.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12), (uint)frame.Length);
            f.Write(record);
            f.Write(frame);
        }

        Packet(true, 0x02, default);               // SYN
        Packet(false, 0x12, default);              // SYN/ACK
        Packet(true, 0x10, default);
        foreach (var (fromClient, data) in _steps)
            for (int at = 0; at < data.Length; at += 1400)
                Packet(fromClient, 0x18, data.AsSpan(at, Math.Min(1400, data.Length - at)));
        Packet(true, 0x11, default);
        Packet(false, 0x11, default);
        return path;
    }
}
