using McpEgress.Capture;
using static McpEgress.Tests.Capture.CaptureBytes;

namespace McpEgress.Tests.Capture;

/// <summary>A file cut at every byte offset: no exception, every complete packet before the cut returned.</summary>
public class TruncatedCaptureTests
{
    public static TheoryData<string, bool> Files => new()
    {
        { "pcap-le", false }, { "pcap-be", true }, { "pcapng-le", false }, { "pcapng-be", true },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryPrefixYieldsCompletePacketsOnly(string kind, bool be)
    {
        var (file, packetEnds, headerEnd) = Build(kind, be);
        var full = ReadAll(file);
        Assert.Equal(packetEnds.Count, full.Count);

        for (int cut = 0; cut <= file.Length; cut++)
        {
            var prefix = file[..cut];
            if (cut < headerEnd)
            {
                // Not even the file header: a format error, never anything else.
                Assert.Throws<CaptureFormatException>(() => CapturedRecord.Open(prefix).Dispose());
                continue;
            }
            using var reader = CapturedRecord.Open(prefix);
            var packets = CapturedRecord.ReadAll(reader);
            int complete = packetEnds.Count(end => end <= cut);
            Assert.Equal(complete, packets.Count);
            for (int i = 0; i < packets.Count; i++) Assert.Equal(full[i].Data, packets[i].Data);
            bool atBoundary = cut == headerEnd || packetEnds.Contains(cut) || IsBlockBoundary(kind, file, cut, be);
            Assert.Equal(!atBoundary, reader.Truncated);
            Assert.False(reader.TryReadPacket(out _)); // stays stopped
        }
    }

    [Theory]
    [InlineData("lo-ipv4.pcap")]
    [InlineData("lo-ipv4-dsb.pcapng")]
    [InlineData("any-sll2.pcap")]
    public void EveryPrefixOfARealCaptureIsSafe(string name)
    {
        var file = File.ReadAllBytes(CapdecFixtures.Path(name));
        var full = ReadAll(file);
        // The file header: 24 bytes for pcap, the whole first Section Header Block for pcapng.
        int headerEnd = name.EndsWith(".pcapng") ? BitConverter.ToInt32(file, 4) : 24;
        int previous = 0;
        for (int cut = 0; cut <= file.Length; cut++)
        {
            ICaptureReader reader;
            try { reader = CapturedRecord.Open(file[..cut]); }
            catch (CaptureFormatException) { Assert.True(cut < headerEnd, $"format error at cut {cut}"); continue; }
            using (reader)
            {
                var packets = CapturedRecord.ReadAll(reader);
                Assert.True(packets.Count >= previous && packets.Count <= full.Count);
                for (int i = 0; i < packets.Count; i++) Assert.Equal(full[i].Data, packets[i].Data);
                if (cut < file.Length && packets.Count < full.Count && !reader.Truncated)
                    Assert.True(reader.Position == cut); // a clean stop only exactly at a record boundary
                previous = packets.Count;
            }
        }
        Assert.Equal(full.Count, previous);
    }

    private static List<CapturedRecord> ReadAll(byte[] file)
    {
        using var reader = CapturedRecord.Open(file);
        return CapturedRecord.ReadAll(reader);
    }

    // pcapng has non-packet blocks (IDB, DSB) whose ends are clean cut points too.
    private static bool IsBlockBoundary(string kind, byte[] file, int cut, bool be)
    {
        if (!kind.StartsWith("pcapng")) return false;
        int offset = 0;
        while (offset + 8 <= file.Length)
        {
            if (offset == cut) return true;
            uint len = be ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(offset + 4))
                          : System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 4));
            offset += (int)len;
        }
        return offset == cut;
    }

    private static (byte[] File, List<int> PacketEnds, int HeaderEnd) Build(string kind, bool be)
    {
        var parts = new List<byte[]>();
        var ends = new List<int>();
        int length = 0;
        void Add(byte[] part, bool isPacket)
        {
            parts.Add(part);
            length += part.Length;
            if (isPacket) ends.Add(length);
        }

        int headerEnd;
        if (kind.StartsWith("pcapng"))
        {
            Add(Shb(be), false);
            headerEnd = length;
            Add(Idb(be, tsresol: 9), false);
            Add(Epb(be, 0, 1, [1, 2, 3, 4, 5]), true);
            Add(Dsb(be, 0x544c534b, [65, 66, 67]), false);
            Add(Spb(be, 3, [6, 7, 8]), true);
            Add(Epb(be, 0, 2, []), true);
        }
        else
        {
            Add(PcapHeader(be), false);
            headerEnd = length;
            Add(PcapRecord(be, 1, 2, [1, 2, 3, 4, 5]), true);
            Add(PcapRecord(be, 3, 4, []), true);
            Add(PcapRecord(be, 5, 6, [6, 7]), true);
        }
        return (Concat(parts.ToArray()), ends, headerEnd);
    }
}
