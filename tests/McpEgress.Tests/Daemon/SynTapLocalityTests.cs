using System.Buffers.Binary;
using McpEgress.Attribution;
using McpEgress.Capture;
using McpEgress.Daemon;
using McpEgress.Decode;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Daemon;

/// <summary>
/// The SYN tap looks up only SYNs whose client address is this host's: a SYN from any other address (forwarded or
/// container traffic, a replay, a flood of made-up sources) can have no local socket, so it costs no /proc read and
/// leaves nothing in the cache. SYNs handed straight to the tap (no capture), with a made-up set of local addresses.
/// </summary>
public sealed class SynTapLocalityTests
{
    private static byte[] Syn(byte[] source, byte[] destination, ushort sourcePort, ushort destinationPort)
    {
        var p = new byte[40];
        p[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 40);
        p[8] = 64; p[9] = 6;
        source.CopyTo(p, 12);
        destination.CopyTo(p, 16);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(20), sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(22), destinationPort);
        p[32] = 0x50; p[33] = (byte)TcpFlags.Syn;
        return p;
    }

    private static FlowKey Key(byte[] source, byte[] destination, ushort sourcePort, ushort destinationPort) => new(
        new Endpoint(IpAddress16.FromIPAddress(new System.Net.IPAddress(source)), sourcePort),
        new Endpoint(IpAddress16.FromIPAddress(new System.Net.IPAddress(destination)), destinationPort));

    [Fact]
    public void ASynFromAnotherHostIsNotLookedUpAndClearsWhatTheCacheHeld()
    {
        byte[] local = [192, 0, 2, 10], foreign = [10, 0, 0, 5], server = [203, 0, 113, 7];
        var localAddress = IpAddress16.FromIPAddress(new System.Net.IPAddress(local));
        var cache = new FlowProcessCache(TimeSpan.FromMinutes(1), 16);
        var stale = Key(foreign, server, 40000, 443);
        cache.Set(stale, new ProcessInfo { Pid = 1 }); // an older connection's answer on the same 4-tuple
        using var tap = new SynTap(null, new ProcessResolver(), cache, a => a.Equals(localAddress));

        for (ushort port = 40000; port < 40010; port++)
        {
            var syn = Syn(foreign, server, port, 443);
            tap.Handle(new CapturedPacket(LinkType.Raw, 0, syn.Length, 0, syn));
        }
        Assert.Equal(10, tap.Syns);
        Assert.Equal(10, tap.NotLocal);
        Assert.Equal(0, tap.Unresolved + tap.Resolved); // no lookup at all
        Assert.Null(cache.Get(stale));

        // A SYN from this host's address is looked up: no socket owns it here, so it ends unresolved.
        var own = Syn(local, server, 40100, 443);
        tap.Handle(new CapturedPacket(LinkType.Raw, 0, own.Length, 0, own));
        Assert.Equal(11, tap.Syns);
        Assert.Equal(10, tap.NotLocal);
        Assert.Equal(1, tap.Unresolved);
    }

    [Fact]
    public void LoopbackIsAlwaysLocal()
    {
        var addresses = new LocalAddresses(TimeSpan.FromMinutes(1));
        Assert.True(addresses.Contains(IpAddress16.FromIPAddress(System.Net.IPAddress.Parse("127.0.0.53"))));
        Assert.True(addresses.Contains(IpAddress16.FromIPAddress(System.Net.IPAddress.IPv6Loopback)));
        Assert.False(addresses.Contains(IpAddress16.FromIPAddress(System.Net.IPAddress.Parse("203.0.113.7")))); // TEST-NET-3
    }
}
