using System.Net;

namespace McpEgress.Benchmarks.Generator;

/// <summary>
/// A flood of SMTP flows that open and stay idle: handshake, the server's banner, the client's EHLO, then nothing (no
/// FIN). It is the cheapest way to make a monitor track many flows; replaying it shows what each tracked flow costs.
/// </summary>
internal static class FlowFlood
{
    public static (long Packets, long Bytes) Write(string path, int flows)
    {
        using var w = new PcapFrameWriter(File.Create(path));
        byte[] banner = "220 mx.example ESMTP\r\n"u8.ToArray(), ehlo = "EHLO flood.example\r\n"u8.ToArray();
        var server = IPAddress.Parse("10.200.0.1");
        long t = 1_700_000_000_000_000_000;
        for (int i = 0; i < flows; i++)
        {
            // Distinct 4-tuples: 10.1.x.y, ports 1024..65023.
            var client = new IPAddress(new byte[] { 10, (byte)(1 + i / (256 * 64_000)), (byte)(i / 64_000 % 256), (byte)(i / 250 % 256) });
            var e = new FlowEndpoints(client, (ushort)(1024 + i % 64_000), server, 25);
            uint c = 1000, s = 5000;
            w.Write(t, e, true, c, 0, FlowPacket.Syn, []);
            w.Write(t += 1000, e, false, s, c + 1, FlowPacket.Syn | FlowPacket.Ack, []);
            w.Write(t += 1000, e, true, c + 1, s + 1, FlowPacket.Ack, []);
            w.Write(t += 1000, e, false, s + 1, c + 1, FlowPacket.Psh | FlowPacket.Ack, banner);
            w.Write(t += 1000, e, true, c + 1, s + 1 + (uint)banner.Length, FlowPacket.Psh | FlowPacket.Ack, ehlo);
            t += 10_000;
        }
        return (w.Packets, w.FileBytes);
    }
}
