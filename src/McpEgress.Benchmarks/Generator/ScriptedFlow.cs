namespace McpEgress.Benchmarks.Generator;

/// <summary>
/// Turns a conversation (who sends which bytes, in order) into the packets of one TCP flow: handshake, data cut at
/// the Ethernet MSS, a pure ACK from the receiver every second full segment of a long send (delayed ACK), FIN/FIN/ACK.
/// </summary>
internal static class ScriptedFlow
{
    public const int Mss = 1448;

    public static List<FlowPacket> Build(IEnumerable<(bool FromClient, byte[] Bytes)> turns)
    {
        const byte PshAck = FlowPacket.Psh | FlowPacket.Ack;
        var p = new List<FlowPacket>
        {
            new(true, FlowPacket.Syn, 0, 0, []),
            new(false, FlowPacket.Syn | FlowPacket.Ack, 0, 1, []),
            new(true, FlowPacket.Ack, 1, 1, []),
        };
        uint c = 1, s = 1;
        foreach (var (fromClient, bytes) in turns)
        {
            int segments = 0;
            for (int off = 0; off < bytes.Length; off += Mss)
            {
                int len = Math.Min(Mss, bytes.Length - off);
                var part = bytes.AsSpan(off, len).ToArray();
                if (fromClient) { p.Add(new(true, PshAck, c, s, part)); c += (uint)len; }
                else { p.Add(new(false, PshAck, s, c, part)); s += (uint)len; }
                if (++segments % 2 == 0 && off + len < bytes.Length)
                    p.Add(fromClient ? new(false, FlowPacket.Ack, s, c, []) : new(true, FlowPacket.Ack, c, s, []));
            }
        }
        p.Add(new(true, FlowPacket.Fin | FlowPacket.Ack, c, s, []));
        p.Add(new(false, FlowPacket.Fin | FlowPacket.Ack, s, c + 1, []));
        p.Add(new(true, FlowPacket.Ack, c + 1, s + 1, []));
        return p;
    }
}
