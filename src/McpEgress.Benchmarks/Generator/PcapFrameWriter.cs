using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using PacketDotNet;

namespace McpEgress.Benchmarks.Generator;

/// <summary>
/// Writes a nanosecond pcap of Ethernet/IPv4/TCP frames built with PacketDotNet (checksums computed), and counts
/// what it wrote. The pcap framing itself is 16 bytes per record and is written here.
/// </summary>
internal sealed class PcapFrameWriter : IDisposable
{
    private static readonly PhysicalAddress HostMac = PhysicalAddress.Parse("02-00-00-00-00-01");
    private static readonly PhysicalAddress GatewayMac = PhysicalAddress.Parse("02-00-00-00-00-02");
    private readonly Stream _out;
    private readonly byte[] _record = new byte[16];

    public PcapFrameWriter(Stream output)
    {
        _out = output;
        WriteFileHeader(_out);
    }

    /// <summary>The 24-byte header of a little-endian nanosecond pcap of Ethernet frames.</summary>
    public static void WriteFileHeader(Stream output)
    {
        Span<byte> h = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0xa1b23c4d); // nanosecond pcap
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], 262144);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], 1); // LINKTYPE_ETHERNET
        output.Write(h);
    }

    /// <summary>A 16-byte pcap record header: time (s, ns), captured and original length.</summary>
    public static void WriteRecordHeader(Span<byte> record, long timeNs, int frameLength)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(timeNs / 1_000_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(timeNs % 1_000_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)frameLength);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)frameLength);
    }

    public long Packets { get; private set; }
    /// <summary>File bytes written so far, the 24-byte header included.</summary>
    public long FileBytes => 24 + _written;
    private long _written;

    public void Write(long timeNs, FlowEndpoints e, bool fromClient, uint seq, uint ack, byte flags, byte[] payload)
    {
        var tcp = new TcpPacket(fromClient ? e.ClientPort : e.ServerPort, fromClient ? e.ServerPort : e.ClientPort)
        {
            SequenceNumber = seq,
            AcknowledgmentNumber = (flags & FlowPacket.Ack) != 0 ? ack : 0,
            Flags = flags,
            WindowSize = 65535,
            PayloadData = payload,
        };
        var ip = new IPv4Packet(fromClient ? e.Client : e.Server, fromClient ? e.Server : e.Client)
        {
            TimeToLive = 64,
            FragmentFlags = 0x2, // DF
            PayloadPacket = tcp,
        };
        var eth = new EthernetPacket(fromClient ? HostMac : GatewayMac, fromClient ? GatewayMac : HostMac, EthernetType.IPv4)
        {
            PayloadPacket = ip,
        };
        ip.UpdateCalculatedValues();
        tcp.UpdateTcpChecksum();
        ip.UpdateIPChecksum();
        byte[] frame = eth.Bytes;
        WriteRecordHeader(_record, timeNs, frame.Length);
        _out.Write(_record);
        _out.Write(frame);
        Packets++;
        _written += 16 + frame.Length;
    }

    public void Dispose() => _out.Dispose();
}
