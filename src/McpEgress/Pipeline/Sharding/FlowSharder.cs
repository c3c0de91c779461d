using System.Buffers.Binary;
using McpEgress.Capture;
using McpEgress.Decode;

namespace McpEgress.Pipeline.Sharding;

/// <summary>
/// Picks the shard of a packet from a symmetric hash of its TCP 4-tuple (IPv4 or IPv6): both directions of a
/// connection land on the same shard, which owns the flow. IP fragments: the first fragment carries the ports, so it
/// is hashed like the flow and its datagram (source, destination, IP id) remembered; later fragments of the datagram
/// follow it. A fragment seen before its first one goes by its address pair (and the rest of its datagram with it),
/// so a datagram is never split across shards. Everything else (not TCP, unparseable) goes to shard 0, which decodes
/// and counts it. The datagram table is bounded (<see cref="MaxDatagrams"/>, oldest forgotten first).
/// One thread (the reader). Nothing is allocated per packet.
/// </summary>
public sealed class FlowSharder
{
    public const int MaxDatagrams = 4096;
    private const byte ProtocolTcp = 6;

    private readonly int _shards;
    private readonly int _maxVlanTags;
    private readonly Dictionary<(ulong Addresses, uint Id), int> _datagrams = new();
    private readonly Queue<(ulong Addresses, uint Id)> _datagramOrder = new();

    public FlowSharder(int shards, int maxVlanTags = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        _shards = shards;
        _maxVlanTags = maxVlanTags;
    }

    public int Shards => _shards;

    /// <summary>Datagrams whose fragments are being routed.</summary>
    public int DatagramsTracked => _datagrams.Count;

    public int ShardOf(in CapturedPacket packet)
    {
        if (_shards == 1) return 0;
        var d = packet.Data;
        if (LinkLayer.Strip(packet.LinkType, ref d, _maxVlanTags, out ushort etherType) is not null) return 0;
        return etherType switch
        {
            LinkLayer.EtherTypeIpv4 => Ipv4(d),
            LinkLayer.EtherTypeIpv6 => Ipv6(d),
            _ => 0,
        };
    }

    /// <summary>The symmetric hash of two endpoints (address bytes and port): the same whichever is the source.</summary>
    public static ulong Hash(ReadOnlySpan<byte> addressA, ushort portA, ReadOnlySpan<byte> addressB, ushort portB) =>
        Mix(Endpoint(addressA, portA) + Endpoint(addressB, portB));

    private int Ipv4(ReadOnlySpan<byte> d)
    {
        if (d.Length < 20 || d[0] >> 4 != 4) return 0;
        int headerLength = (d[0] & 0x0F) * 4;
        if (headerLength < 20 || headerLength > d.Length || d[9] != ProtocolTcp) return 0;
        var src = d.Slice(12, 4);
        var dst = d.Slice(16, 4);
        int flagsAndOffset = BinaryPrimitives.ReadUInt16BigEndian(d[6..]);
        bool more = (flagsAndOffset & 0x2000) != 0;
        int offset = flagsAndOffset & 0x1FFF;
        var tcp = d[headerLength..];
        if (!more && offset == 0) return Ports(src, dst, tcp);
        return Fragment(src, dst, BinaryPrimitives.ReadUInt16BigEndian(d[4..]), offset == 0 ? tcp : default);
    }

    private int Ipv6(ReadOnlySpan<byte> d)
    {
        if (d.Length < 40 || d[0] >> 4 != 6) return 0;
        var src = d.Slice(8, 16);
        var dst = d.Slice(24, 16);
        byte next = d[6];
        var p = d[40..];
        for (int headers = 0; headers < 8; headers++)
        {
            switch (next)
            {
                case ProtocolTcp:
                    return Ports(src, dst, p);
                case 0 or 43 or 60 or 135 or 139 or 140:
                    if (p.Length < 2 || (p[1] + 1) * 8 > p.Length) return 0;
                    next = p[0];
                    p = p[((p[1] + 1) * 8)..];
                    break;
                case 51:
                    if (p.Length < 2 || (p[1] + 2) * 4 > p.Length) return 0;
                    next = p[0];
                    p = p[((p[1] + 2) * 4)..];
                    break;
                case 44:
                {
                    if (p.Length < 8) return 0;
                    int offsetAndFlags = BinaryPrimitives.ReadUInt16BigEndian(p[2..]);
                    bool more = (offsetAndFlags & 1) != 0;
                    int offset = offsetAndFlags & 0xFFF8;
                    if (offset == 0 && !more) // atomic fragment: not part of a reassembly
                    {
                        next = p[0];
                        p = p[8..];
                        break;
                    }
                    // The first fragment's TCP header, when the fragment header is the last before it.
                    var tcp = offset == 0 && p[0] == ProtocolTcp ? p[8..] : default;
                    return Fragment(src, dst, BinaryPrimitives.ReadUInt32BigEndian(p[4..]), tcp);
                }
                default:
                    return 0;
            }
        }
        return 0;
    }

    private int Ports(ReadOnlySpan<byte> src, ReadOnlySpan<byte> dst, ReadOnlySpan<byte> tcp)
    {
        if (tcp.Length < 4) return 0;
        ulong h = Hash(src, BinaryPrimitives.ReadUInt16BigEndian(tcp), dst, BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]));
        return Pick(h);
    }

    private int Fragment(ReadOnlySpan<byte> src, ReadOnlySpan<byte> dst, uint id, ReadOnlySpan<byte> firstTcp)
    {
        var key = (Mix(Endpoint(src, 0) + Endpoint(dst, 0)), id);
        if (_datagrams.TryGetValue(key, out int shard)) return shard;
        shard = firstTcp.Length >= 4 ? Ports(src, dst, firstTcp) : Pick(key.Item1);
        if (_datagrams.Count >= MaxDatagrams) _datagrams.Remove(_datagramOrder.Dequeue());
        _datagrams[key] = shard;
        _datagramOrder.Enqueue(key);
        return shard;
    }

    private int Pick(ulong hash) => (int)(((hash >> 32) * (ulong)_shards) >> 32);

    private static ulong Endpoint(ReadOnlySpan<byte> address, ushort port)
    {
        ulong h = 0x9E3779B97F4A7C15UL ^ port;
        while (address.Length >= 8)
        {
            h = Mix(h ^ BinaryPrimitives.ReadUInt64LittleEndian(address));
            address = address[8..];
        }
        if (address.Length >= 4) h = Mix(h ^ BinaryPrimitives.ReadUInt32LittleEndian(address));
        return Mix(h);
    }

    // SplitMix64's finalizer.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
