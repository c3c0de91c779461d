using System.Buffers.Binary;
using McpEgress.Capture;
using McpEgress.Pipeline.Sharding;

namespace McpEgress.Tests.Pipeline.Sharding;

/// <summary>
/// The reader's shard choice: both directions of a TCP connection (IPv4 and IPv6, behind any link layer) on one shard,
/// connections spread over the shards, every fragment of a datagram with its first fragment (which carries the ports).
/// </summary>
public sealed class FlowSharderTests
{
    private static readonly Random Rng = new(TestSeed.For(nameof(FlowSharderTests)));

    // IPv4 header: version/IHL 0x45, TOS, total length, id, flags|offset (MF 0x2000, offset in 8-byte units), TTL 64,
    // protocol, checksum 0, source, destination.
    private static byte[] V4(byte[] src, byte[] dst, byte[] payload, ushort id = 1, bool more = false, int offset = 0, byte protocol = 6)
    {
        var p = new byte[20 + payload.Length];
        p[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(6), (ushort)((more ? 0x2000 : 0) | offset / 8));
        p[8] = 64;
        p[9] = protocol;
        src.CopyTo(p, 12);
        dst.CopyTo(p, 16);
        payload.CopyTo(p, 20);
        return p;
    }

    // IPv6 fixed header: version 6, payload length, next header, hop limit, source, destination.
    private static byte[] V6(byte[] src, byte[] dst, byte next, byte[] payload)
    {
        var p = new byte[40 + payload.Length];
        p[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), (ushort)payload.Length);
        p[6] = next;
        p[7] = 64;
        src.CopyTo(p, 8);
        dst.CopyTo(p, 24);
        payload.CopyTo(p, 40);
        return p;
    }

    // TCP header: source port, destination port, then 16 bytes (seq, ack, offset 5 words, flags, window...), + data.
    private static byte[] Tcp(ushort sport, ushort dport, int dataBytes = 0)
    {
        var t = new byte[20 + dataBytes];
        BinaryPrimitives.WriteUInt16BigEndian(t, sport);
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(2), dport);
        t[12] = 0x50;
        t[13] = 0x18;
        return t;
    }

    private static byte[] Ethernet(byte[] ip, ushort etherType = 0x0800) =>
        [.. new byte[12], (byte)(etherType >> 8), (byte)etherType, .. ip];

    private static int Shard(FlowSharder s, byte[] frame, LinkType link = LinkType.Ethernet) =>
        s.ShardOf(new CapturedPacket(link, 0, frame.Length, 0, frame));

    private static byte[] Bytes(int n) { var b = new byte[n]; Rng.NextBytes(b); return b; }

    [Fact]
    public void BothDirectionsOfEveryConnectionGoToOneShard_IPv4AndIPv6_AndConnectionsSpread()
    {
        var sharder = new FlowSharder(4);
        var perShard = new int[4];
        for (int i = 0; i < 2000; i++)
        {
            bool v6 = i % 2 == 1;
            byte[] a = Bytes(v6 ? 16 : 4), b = Bytes(v6 ? 16 : 4);
            ushort pa = (ushort)Rng.Next(1024, 65536), pb = (ushort)Rng.Next(1, 1024);
            byte[] forward = v6 ? V6(a, b, 6, Tcp(pa, pb, 10)) : V4(a, b, Tcp(pa, pb, 10));
            byte[] back = v6 ? V6(b, a, 6, Tcp(pb, pa)) : V4(b, a, Tcp(pb, pa));
            int s = Shard(sharder, Ethernet(forward, v6 ? (ushort)0x86DD : (ushort)0x0800));
            // The same packets behind another link layer (raw IP) and reversed land on the same shard.
            Assert.Equal(s, Shard(sharder, back, LinkType.Raw));
            Assert.Equal(s, Shard(sharder, forward, LinkType.Raw));
            perShard[s]++;
        }
        foreach (int n in perShard) Assert.InRange(n, 350, 650); // 500 each if the hash spreads evenly
    }

    [Fact]
    public void ConnectionsBetweenTheSameTwoHostsSpreadByPort()
    {
        var sharder = new FlowSharder(2);
        byte[] client = [10, 0, 0, 1], server = [10, 0, 0, 2];
        var shards = Enumerable.Range(40000, 200).Select(port => Shard(sharder, V4(client, server, Tcp((ushort)port, 443)), LinkType.Raw)).ToList();
        Assert.InRange(shards.Count(s => s == 1), 60, 140);
    }

    [Fact]
    public void FragmentsFollowTheirFirstFragmentAndTheFlow()
    {
        var sharder = new FlowSharder(8);
        byte[] a = [192, 168, 1, 10], b = [93, 184, 216, 34];
        for (ushort port = 50000; port < 50064; port++)
        {
            int flow = Shard(sharder, V4(a, b, Tcp(port, 25)), LinkType.Raw);
            var segment = Tcp(port, 25, 100);
            ushort id = (ushort)(port * 7);
            int first = Shard(sharder, V4(a, b, segment[..48], id, more: true, offset: 0), LinkType.Raw);
            int middle = Shard(sharder, V4(a, b, segment[48..96], id, more: true, offset: 48), LinkType.Raw);
            int last = Shard(sharder, V4(a, b, segment[96..], id, more: false, offset: 96), LinkType.Raw);
            Assert.Equal(flow, first);
            Assert.Equal(flow, middle);
            Assert.Equal(flow, last);
        }
    }

    [Fact]
    public void ADatagramWhoseLaterFragmentComesFirstStaysOnOneShard()
    {
        var sharder = new FlowSharder(8);
        byte[] a = [192, 168, 1, 10], b = [93, 184, 216, 34];
        for (ushort id = 1; id <= 64; id++)
        {
            var segment = Tcp((ushort)(40000 + id), 443, 100);
            int last = Shard(sharder, V4(a, b, segment[96..], id, more: false, offset: 96), LinkType.Raw);
            int first = Shard(sharder, V4(a, b, segment[..48], id, more: true, offset: 0), LinkType.Raw);
            int middle = Shard(sharder, V4(b, a, segment[48..96], id, more: true, offset: 48), LinkType.Raw); // even reversed
            Assert.Equal(last, first);
            Assert.Equal(last, middle);
        }
        Assert.True(sharder.DatagramsTracked <= FlowSharder.MaxDatagrams);
    }

    [Fact]
    public void Ipv6FragmentsFollowTheirFirstFragment()
    {
        var sharder = new FlowSharder(8);
        byte[] a = Bytes(16), b = Bytes(16);
        for (ushort port = 1000; port < 1032; port++)
        {
            int flow = Shard(sharder, V6(a, b, 6, Tcp(port, 443)), LinkType.Raw);
            int reverse = Shard(sharder, V6(b, a, 6, Tcp(443, port)), LinkType.Raw);
            var segment = Tcp(port, 443, 100);
            uint id = port * 13u;
            // Fragment header: next header TCP, offset|M, identification.
            byte[] Frag(int offset, bool more, byte[] data)
            {
                var h = new byte[8 + data.Length];
                h[0] = 6;
                BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), (ushort)(offset | (more ? 1 : 0)));
                BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(4), id);
                data.CopyTo(h, 8);
                return h;
            }
            Assert.Equal(flow, reverse);
            Assert.Equal(flow, Shard(sharder, V6(a, b, 44, Frag(0, true, segment[..64])), LinkType.Raw));
            Assert.Equal(flow, Shard(sharder, V6(a, b, 44, Frag(64, false, segment[64..])), LinkType.Raw));
        }
    }

    [Fact]
    public void WhatIsNotTcpOrNotParseableGoesToShardZero()
    {
        var sharder = new FlowSharder(4);
        byte[] a = [10, 1, 1, 1], b = [10, 2, 2, 2];
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(0, Shard(sharder, V4(a, b, Bytes(30), protocol: 17), LinkType.Raw)); // UDP
            Assert.Equal(0, Shard(sharder, Ethernet(Bytes(28), 0x0806)));                      // ARP
            Assert.Equal(0, Shard(sharder, Bytes(i % 14)));                                    // shorter than Ethernet
            Assert.Equal(0, Shard(sharder, V4(a, b, Tcp(1, 2))[..22], LinkType.Raw));          // cut inside the ports
        }
    }
}
