using McpEgress.Capture;
using SharpPcap;
using SharpPcap.LibPcap;
using Xunit.Abstractions;
using static McpEgress.Tests.Capture.CaptureBytes;

namespace McpEgress.Tests.Capture;

/// <summary>
/// What SharpPcap's file reader (<see cref="CaptureFileReaderDevice"/>, libpcap's pcap_open_offline) loses against
/// our readers, one file each. These are why capture files are read by <see cref="PcapFileReader"/> and
/// <see cref="PcapNgFileReader"/>; if one starts failing, SharpPcap/libpcap gained it and the decision can be
/// revisited (README "Built on").
/// </summary>
public sealed class SharpPcapReaderGapTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcp-egress-sharppcap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Every packet SharpPcap reads (link type, data), and how it ended.</summary>
    private List<(int LinkType, byte[] Data)> ReadWithSharpPcap(string path, out string end)
    {
        var packets = new List<(int, byte[])>();
        end = "end of file";
        try
        {
            using var device = new CaptureFileReaderDevice(path);
            device.Open();
            GetPacketStatus status;
            while ((status = device.GetNextPacket(out var e)) == GetPacketStatus.PacketRead)
                packets.Add(((int)device.LinkType, e.Data.ToArray()));
            if (status != GetPacketStatus.NoRemainingPackets) end = $"{status}: {device.LastError}";
        }
        catch (PcapException e)
        {
            end = "exception: " + e.Message;
        }
        output.WriteLine($"SharpPcap: {packets.Count} packets, {end}");
        return packets;
    }

    private static List<(LinkType LinkType, byte[] Data)> ReadWithOurs(string path, IDecryptionSecretsSink? secrets = null)
    {
        var packets = new List<(LinkType, byte[])>();
        using var reader = CaptureFile.Open(path, secrets: secrets);
        while (reader.TryReadPacket(out var p)) packets.Add((p.LinkType, p.Data.ToArray()));
        Assert.False(reader.Truncated, reader.TruncationReason);
        return packets;
    }

    [Fact]
    public void PcapNgDecryptionSecretsBlockIsInvisibleToSharpPcap()
    {
        byte[] keys = "CLIENT_RANDOM 00 11\n"u8.ToArray();
        string path = Write("dsb.pcapng", Concat(Shb(false), Idb(false), Dsb(false, 0x544c534b, keys), Epb(false, 0, 1, new byte[60])));

        // libpcap reads past the DSB and hands over the packet; SharpPcap has no way to ask for the block.
        Assert.Single(ReadWithSharpPcap(path, out _));
        Assert.DoesNotContain(typeof(CaptureFileReaderDevice).GetMembers(), m =>
            m.Name.Contains("Secret", StringComparison.OrdinalIgnoreCase) || m.Name.Contains("Decryption", StringComparison.OrdinalIgnoreCase));

        var secrets = new SecretsCollector();
        Assert.Single(ReadWithOurs(path, secrets));
        Assert.Equal(keys, Assert.Single(secrets.Received).Data);
    }

    [Fact]
    public void PcapNgInterfacesWithDifferentLinkTypesStopSharpPcap()
    {
        // An Ethernet interface and a Linux cooked one in one section (dumpcap -i eth0 -i any writes this).
        string path = Write("two-links.pcapng", Concat(Shb(false), Idb(false, linkType: 1), Idb(false, linkType: 113),
            Epb(false, 0, 1, new byte[60]), Epb(false, 1, 2, new byte[60])));

        var theirs = ReadWithSharpPcap(path, out string end);
        Assert.True(theirs.Count < 2 || theirs.All(p => p.LinkType == theirs[0].LinkType),
            "SharpPcap read both interfaces' packets with their own link types");
        output.WriteLine(end);

        var ours = ReadWithOurs(path);
        Assert.Equal([LinkType.Ethernet, LinkType.LinuxSll], ours.Select(p => p.LinkType));
    }

    [Fact]
    public void PcapRecordLongerThanTheHeadersSnapLengthIsCutBySharpPcap()
    {
        // A writer that put a snap length of 64 in the header and then wrote whole 200-byte frames.
        var frame = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
        string path = Write("snaplen.pcap", Concat(PcapHeader(false, snapLength: 64), PcapRecord(false, 1, 0, frame)));

        var theirs = ReadWithSharpPcap(path, out _);
        Assert.True(theirs.Count == 0 || theirs[0].Data.Length < frame.Length,
            $"SharpPcap kept all {frame.Length} bytes");

        Assert.Equal(frame, Assert.Single(ReadWithOurs(path)).Data);
    }

    [Fact]
    public void PcapNgSectionsInBothByteOrdersStopSharpPcap()
    {
        // Two captures concatenated (cat a.pcapng b.pcapng), one written on a big-endian host.
        string path = Write("two-sections.pcapng", Concat(Shb(false), Idb(false), Epb(false, 0, 1, new byte[60]),
            Shb(true), Idb(true), Epb(true, 0, 2, new byte[60])));

        var theirs = ReadWithSharpPcap(path, out _);
        Assert.True(theirs.Count < 2, "SharpPcap read both sections");

        Assert.Equal(2, ReadWithOurs(path).Count);
    }
}
