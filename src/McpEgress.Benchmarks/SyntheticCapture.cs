using System.Buffers.Binary;
using System.Text;

namespace McpEgress.Benchmarks;

/// <summary>
/// Writes a large nanosecond pcap (Ethernet/IPv4/TCP) with many SMTP sessions interleaved among bulk non-mail
/// flows, for the replay benchmark. Every SMTP session is a full handshake-to-FIN conversation with pipelined
/// RCPTs; every fifth message carries an envelope-only recipient at giftshop.club, so the expected message and
/// alert counts are known: <see cref="Messages"/>, <see cref="ExpectedAlerts"/>.
/// </summary>
internal sealed class SyntheticCapture
{
    private const int Mss = 1448;
    private readonly Stream _out;
    private readonly byte[] _frame = new byte[14 + 20 + 20 + Mss];
    private long _timeNs = 1_760_000_000_000_000_000;
    private readonly Random _rng = new(42);

    public long Messages { get; private set; }
    public long ExpectedAlerts { get; private set; }
    public long Packets { get; private set; }
    public long Bytes { get; private set; }
    public long Flows { get; private set; }

    private SyntheticCapture(Stream output) => _out = output;

    public static SyntheticCapture Write(string path, long targetBytes, double mailShare = 0.1)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var g = new SyntheticCapture(fs);
        g.WriteHeader();
        int flowNo = 0;
        while (fs.Position < targetBytes)
        {
            flowNo++;
            // Interleaving at the flow level keeps the generator simple; the reassembler still sees thousands of flows.
            if (g._rng.NextDouble() < mailShare * 4) g.SmtpSession(flowNo);
            else g.BulkFlow(flowNo, g._rng.Next(200_000, 2_000_000));
        }
        g.Flows = flowNo;
        return g;
    }

    private void WriteHeader() => Generator.PcapFrameWriter.WriteFileHeader(_out);

    private readonly record struct Conn(uint ClientIp, uint ServerIp, ushort ClientPort, ushort ServerPort);

    private sealed class Seq { public uint C; public uint S; }

    private void SmtpSession(int n)
    {
        var c = new Conn(0x0A000000u | (uint)(n & 0xFFFF), 0x0A640001, (ushort)(20000 + n % 40000), 587);
        var seq = new Seq { C = (uint)_rng.Next(), S = (uint)_rng.Next() };
        Handshake(c, seq);
        // Every fifth message carries the envelope-only phan@giftshop.club.
        var hidden = Enumerable.Range(0, 1 + _rng.Next(3)).Select(_ => ++Messages % 5 == 0).ToList();
        ExpectedAlerts += hidden.Count(h => h) * Generator.SmtpSessionScript.AlertsPerHiddenMessage;
        long id = Messages - hidden.Count;
        foreach (var (fromClient, bytes) in Generator.SmtpSessionScript.Turns(hidden, () => _rng.Next(20, 400), () => ++id))
            Send(c, seq, fromClient, bytes);
        Fin(c, seq);
    }

    private void BulkFlow(int n, int bytes)
    {
        var c = new Conn(0x0A010000u | (uint)(n & 0xFFFF), 0x0A640002, (ushort)(20000 + n % 40000), 8080);
        var seq = new Seq { C = (uint)_rng.Next(), S = (uint)_rng.Next() };
        Handshake(c, seq);
        Send(c, seq, true, "GET /blob HTTP/1.1\r\nHost: files.bench.example\r\n\r\n");
        Send(c, seq, false, $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {bytes}\r\n\r\n");
        var payload = new byte[Mss];
        _rng.NextBytes(payload);
        int sent = 0;
        while (sent < bytes)
        {
            int len = Math.Min(Mss, bytes - sent);
            Packet(c, false, seq.S, seq.C, 0x18, payload.AsSpan(0, len));
            seq.S += (uint)len;
            sent += len;
            if ((sent / Mss) % 8 == 0) Packet(c, true, seq.C, seq.S, 0x10, default); // delayed ACK
        }
        Fin(c, seq);
    }

    private void Handshake(Conn c, Seq seq)
    {
        Packet(c, true, seq.C, 0, 0x02, default);
        Packet(c, false, seq.S, seq.C + 1, 0x12, default);
        seq.C++; seq.S++;
        Packet(c, true, seq.C, seq.S, 0x10, default);
    }

    private void Fin(Conn c, Seq seq)
    {
        Packet(c, true, seq.C, seq.S, 0x11, default);
        Packet(c, false, seq.S, seq.C + 1, 0x11, default);
        Packet(c, true, seq.C + 1, seq.S + 1, 0x10, default);
    }

    private void Send(Conn c, Seq seq, bool fromClient, string text) => Send(c, seq, fromClient, Encoding.ASCII.GetBytes(text));

    private void Send(Conn c, Seq seq, bool fromClient, byte[] bytes)
    {
        for (int off = 0; off < bytes.Length; off += Mss)
        {
            var part = bytes.AsSpan(off, Math.Min(Mss, bytes.Length - off));
            if (fromClient) { Packet(c, true, seq.C, seq.S, 0x18, part); seq.C += (uint)part.Length; }
            else { Packet(c, false, seq.S, seq.C, 0x18, part); seq.S += (uint)part.Length; }
        }
    }

    private void Packet(Conn c, bool fromClient, uint seqNo, uint ack, byte flags, ReadOnlySpan<byte> payload)
    {
        _timeNs += 10_000 + _rng.Next(50_000);
        var f = _frame.AsSpan();
        f[..12].Clear();
        f[0] = 2; f[6] = 2; f[11] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], 0x0800);
        var ip = f[14..];
        int total = 20 + 20 + payload.Length;
        ip[0] = 0x45; ip[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)total);
        BinaryPrimitives.WriteUInt32BigEndian(ip[4..], 0x40000000); // id 0, DF
        ip[8] = 64; ip[9] = 6; ip[10] = ip[11] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], fromClient ? c.ClientIp : c.ServerIp);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], fromClient ? c.ServerIp : c.ClientIp);
        var tcp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, fromClient ? c.ClientPort : c.ServerPort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], fromClient ? c.ServerPort : c.ClientPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], seqNo);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], ack);
        tcp[12] = 0x50; tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535);
        tcp[16] = tcp[17] = tcp[18] = tcp[19] = 0;
        payload.CopyTo(tcp[20..]);

        int frameLen = 14 + total;
        Span<byte> rec = stackalloc byte[16];
        Generator.PcapFrameWriter.WriteRecordHeader(rec, _timeNs, frameLen);
        _out.Write(rec);
        _out.Write(_frame, 0, frameLen);
        Packets++;
        Bytes += frameLen;
    }
}
