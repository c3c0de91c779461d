using System.Net;
using System.Text;
using McpEgress.Attribution;
using McpEgress.Decode;

namespace McpEgress.Tests.Attribution;

public class ProcNetTcpTests
{
    private static bool Parse(string line, out ProcNetTcpEntry e, bool littleEndian = true) =>
        ProcNetTcp.TryParseLine(Encoding.ASCII.GetBytes(line), littleEndian, out e);

    private static Endpoint Ep(string ip, int port) => new(IpAddress16.FromIPAddress(IPAddress.Parse(ip)), (ushort)port);

    [Fact]
    public void Ipv4Listener_LittleEndianHost()
    {
        // 0100007F = bytes 7F 00 00 01 in memory = 127.0.0.1; 9D97 = port 40343; st 0A = LISTEN; uid 0; inode 158377
        Assert.True(Parse("   0: 0100007F:9D97 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 158377 1 00000000438773cd 100 0 0 10 0", out var e));
        Assert.Equal(Ep("127.0.0.1", 40343), e.Local);
        Assert.Equal(Ep("0.0.0.0", 0), e.Remote);
        Assert.Equal(0x0A, e.State);
        Assert.Equal(0u, e.Uid);
        Assert.Equal(158377UL, e.Inode);
    }

    [Fact]
    public void Ipv4Established_NonLoopbackByteOrder()
    {
        // 0A00A8C0 → memory C0 A8 00 0A = 192.168.0.10; 0D4E2C5D → 5D 2C 4E 0D = 93.44.78.13; port 01BB = 443
        Assert.True(Parse("  12: 0A00A8C0:D431 0D4E2C5D:01BB 01 00000000:00000000 02:000A7B2C 00000000  1000        0 4242 2 0000000000000000 20 4 30 10 -1", out var e));
        Assert.Equal(Ep("192.168.0.10", 0xD431), e.Local);
        Assert.Equal(Ep("93.44.78.13", 443), e.Remote);
        Assert.Equal(1, e.State);      // ESTABLISHED
        Assert.Equal(1000u, e.Uid);
        Assert.Equal(4242UL, e.Inode);
    }

    [Fact]
    public void Ipv4_BigEndianHostPrintsNetworkOrder()
    {
        Assert.True(Parse("   0: 7F000001:1F90 C0A8000A:01BB 01 00000000:00000000 00:00000000 00000000     0        0 7 1", out var e, littleEndian: false));
        Assert.Equal(Ep("127.0.0.1", 8080), e.Local);
        Assert.Equal(Ep("192.168.0.10", 443), e.Remote);
    }

    [Fact]
    public void Ipv6_WordsInOrderBytesReversedWithinEachWord()
    {
        // 2001:db8::1 = 20 01 0d b8 | 00.. | 00.. | 00 00 00 01; each 32-bit word printed as a LE host integer:
        // B80D0120 00000000 00000000 01000000.  ::1 = 00000000 00000000 00000000 01000000.
        Assert.True(Parse("   3: B80D0120000000000000000001000000:C350 00000000000000000000000001000000:01BB 02 00000000:00000000 00:00000000 00000000   501        0 99 1 0000000000000000 100 0 0 10 0", out var e));
        Assert.Equal(Ep("2001:db8::1", 50000), e.Local);
        Assert.Equal(Ep("::1", 443), e.Remote);
        Assert.Equal(2, e.State);      // SYN_SENT
        Assert.Equal(501u, e.Uid);
        Assert.False(e.Local.Address.IsV4);
    }

    [Fact]
    public void Ipv6_FullAddressEveryNibblePosition()
    {
        // fe80::1234:5678:9abc:def0 → words fe800000 00000000 12345678 9abcdef0 → printed 000080FE 00000000 78563412 F0DEBC9A
        Assert.True(Parse("   0: 000080FE0000000078563412F0DEBC9A:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5 1", out var e));
        Assert.Equal(Ep("fe80::1234:5678:9abc:def0", 22), e.Local);
    }

    [Fact]
    public void Ipv4MappedInTcp6_BecomesIpv4()
    {
        // Dual-stack socket: ::ffff:127.0.0.1 = words 0 0 0000FFFF 7F000001 → printed ... FFFF0000 0100007F
        Assert.True(Parse("   1: 0000000000000000FFFF00000100007F:AAC6 0000000000000000FFFF00000100007F:9D97 01 00000000:00000000 00:00000000 00000000     0        0 158435 1 00000000ddc39903 20 4 28 16 -1", out var e));
        Assert.True(e.Local.Address.IsV4);
        Assert.Equal(Ep("127.0.0.1", 0xAAC6), e.Local);
        Assert.Equal(Ep("127.0.0.1", 40343), e.Remote);
        Assert.Equal(158435UL, e.Inode);
    }

    [Fact]
    public void TimeWaitRow_HasInodeZero()
    {
        Assert.True(Parse("   0: 0000000000000000FFFF00000100007F:C5D6 0000000000000000FFFF00000100007F:8207 06 00000000:00000000 03:00000109 00000000     0        0 0 3 00000000eb662a79", out var e));
        Assert.Equal(6, e.State);
        Assert.Equal(0UL, e.Inode);
    }

    [Theory]
    [InlineData("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode")]
    [InlineData("")]
    [InlineData("   0: 0100007F:9D97")]                                                                          // truncated
    [InlineData("   0: 0100007G:9D97 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1")]      // bad hex
    [InlineData("   0: 100007F:9D97 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1")]       // 7 digits
    [InlineData("   0: 0100007F:9D9 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1")]       // 3-digit port
    [InlineData("   0: 0100007F:9D97 00000000:0000 0A 00000000:00000000 00:00000000 00000000 x 0 1 1")]      // uid
    [InlineData("   0: 0100007F:9D97 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 -1 1")]     // inode
    [InlineData("   0  0100007F:9D97 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1")]      // no "sl:"
    public void HeaderAndMalformedRows_AreRejected(string line) => Assert.False(Parse(line, out _));

    [Fact]
    public void Normalize_MapsV4MappedV6ToV4AndKeepsOthers()
    {
        var mapped = Ep("::ffff:10.1.2.3", 25);
        Assert.Equal(Ep("10.1.2.3", 25), ProcNetTcp.Normalize(mapped));
        Assert.Equal(Ep("::1", 25), ProcNetTcp.Normalize(Ep("::1", 25)));
    }

    [Theory]
    [InlineData("socket:[12345]", true, 12345UL)]
    [InlineData("socket:[]", false, 0UL)]
    [InlineData("pipe:[12345]", false, 0UL)]
    [InlineData("/dev/null", false, 0UL)]
    [InlineData("socket:[12x]", false, 0UL)]
    public void SocketLinks(string link, bool ok, ulong inode)
    {
        Assert.Equal(ok, ProcessResolver.TryParseSocketLink(Encoding.ASCII.GetBytes(link), out ulong got));
        Assert.Equal(inode, got);
    }
}
