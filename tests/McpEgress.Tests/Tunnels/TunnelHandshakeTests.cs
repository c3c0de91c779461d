using System.Text;
using McpEgress.Protocols;
using McpEgress.Protocols.Tunnels;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Tunnels;

public sealed class TunnelHandshakeTests
{
    private const FlowDirection C = FlowDirection.ClientToServer;
    private const FlowDirection S = FlowDirection.ServerToClient;
    private static byte[] A(string s) => Encoding.ASCII.GetBytes(s);
    private static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static readonly byte[] ClientHello = [0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5];

    private static TunnelHandshake Run(TunnelKind kind, params (FlowDirection Dir, byte[] Bytes)[] steps)
    {
        var h = new TunnelHandshake(kind, new TunnelOptions());
        foreach (var (d, b) in steps) h.Feed(d, b);
        return h;
    }

    [Fact]
    public void HttpConnect_2xx_OpensTunnel_WithLeftoversOfBothDirections()
    {
        var h = Run(TunnelKind.HttpConnect,
            (C, Cat(A("CONNECT api.postmarkapp.com:443 HTTP/1.1\r\nHost: api.postmarkapp.com:443\r\nProxy-Authorization: Basic dTpw\r\n\r\n"), ClientHello)),
            (S, A("HTTP/1.1 200 Connection established\r\nProxy-agent: x\r\n\r\n\x16\x03\x03")));
        Assert.Equal(TunnelStatus.Established, h.Status);
        Assert.Equal(new TunnelTarget(TunnelKind.HttpConnect, "api.postmarkapp.com", 443), h.Target);
        Assert.Equal(200, h.ReplyCode);
        Assert.True(h.ClientAuthenticated);
        Assert.Equal(ClientHello, h.TakeLeftover(C));
        Assert.Equal(new byte[] { 0x16, 3, 3 }, h.TakeLeftover(S));
        Assert.Empty(h.TakeLeftover(C));
    }

    [Fact]
    public void HttpConnect_AtEverySplitPoint_GivesTheSameResult()
    {
        var client = Cat(A("CONNECT [2001:db8::1]:2525 HTTP/1.1\r\nHost: [2001:db8::1]:2525\r\n\r\n"), A("EHLO x\r\n"));
        var server = A("HTTP/1.0 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\n220 mx ESMTP\r\n");
        for (int i = 0; i <= client.Length; i++)
        for (int j = 0; j <= server.Length; j += 7)
        {
            var h = new TunnelHandshake(TunnelKind.HttpConnect, new TunnelOptions());
            h.Feed(C, client.AsSpan(0, i));
            h.Feed(S, server.AsSpan(0, j));
            h.Feed(C, client.AsSpan(i));
            h.Feed(S, server.AsSpan(j));
            Assert.Equal(TunnelStatus.Established, h.Status);
            Assert.Equal(new TunnelTarget(TunnelKind.HttpConnect, "2001:db8::1", 2525), h.Target);
            Assert.Equal("EHLO x\r\n", Encoding.ASCII.GetString(h.TakeLeftover(C)));
            Assert.Equal("220 mx ESMTP\r\n", Encoding.ASCII.GetString(h.TakeLeftover(S)));
        }
    }

    [Fact]
    public void HttpConnect_407_IsRejected_AndItsBodySkipped()
    {
        var h = Run(TunnelKind.HttpConnect,
            (C, A("CONNECT smtp.relay.example:25 HTTP/1.1\r\n\r\n")),
            (S, A("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 5\r\n\r\nnope!")),
            (C, A("CONNECT smtp.relay.example:25 HTTP/1.1\r\nProxy-Authorization: Basic eDp5\r\n\r\n")));
        Assert.Equal(TunnelStatus.Rejected, h.Status);
        Assert.Equal(407, h.ReplyCode);
        Assert.Empty(h.TakeLeftover(S));
        Assert.StartsWith("CONNECT ", Encoding.ASCII.GetString(h.TakeLeftover(C)));
    }

    [Theory]
    [InlineData("CONNECT host HTTP/1.1\r\n\r\n")]             // no port
    [InlineData("CONNECT host:99999 HTTP/1.1\r\n\r\n")]       // port out of range
    [InlineData("CONNECT user@host:443 HTTP/1.1\r\n\r\n")]    // userinfo is not an authority-form
    [InlineData("CONNECT host:443 SPDY/3\r\n\r\n")]
    public void HttpConnect_MalformedRequest_IsUnfollowable(string request)
    {
        var h = Run(TunnelKind.HttpConnect, (C, A(request)));
        Assert.Equal(TunnelStatus.Unfollowable, h.Status);
        Assert.Equal("tunnel_bad_connect_request", h.Anomaly);
    }

    [Fact]
    public void HttpConnect_EndlessHeader_IsCutAtTheLimit()
    {
        var h = new TunnelHandshake(TunnelKind.HttpConnect, new TunnelOptions { MaxHandshakeBytes = 1024 });
        h.Feed(C, A("CONNECT a:1 HTTP/1.1\r\n"));
        for (int i = 0; i < 100 && h.Status == TunnelStatus.InProgress; i++) h.Feed(C, A("X-Pad: " + new string('a', 100) + "\r\n"));
        Assert.Equal(TunnelStatus.Unfollowable, h.Status);
        Assert.Equal("tunnel_header_too_long", h.Anomaly);
    }

    [Fact]
    public void Socks5_DomainName_NoAuth()
    {
        byte[] name = A("smtp.relay.example");
        var h = Run(TunnelKind.Socks5,
            (C, [5, 1, 0]),
            (S, [5, 0]),
            (C, Cat([5, 1, 0, 3, (byte)name.Length], name, [0x09, 0xDD])),
            (S, [5, 0, 0, 1, 127, 0, 0, 1, 0x30, 0x39, (byte)'2', (byte)'2', (byte)'0']));
        Assert.Equal(TunnelStatus.Established, h.Status);
        Assert.Equal(new TunnelTarget(TunnelKind.Socks5, "smtp.relay.example", 2525), h.Target);
        Assert.False(h.ClientAuthenticated);
        Assert.Equal("220", Encoding.ASCII.GetString(h.TakeLeftover(S)));
    }

    [Fact]
    public void Socks5_UserPassword_Pipelined_IPv6()
    {
        byte[] v6 = new byte[16]; v6[15] = 1;
        var client = Cat([5, 2, 0, 2], [1, 1, (byte)'u', 2, (byte)'p', (byte)'w'], Cat([5, 1, 0, 4], v6, [1, 0xBB]), ClientHello);
        var h = Run(TunnelKind.Socks5, (C, client), (S, [5, 2, 1, 0]), (S, Cat([5, 0, 0, 4], v6, [0, 0])));
        Assert.Equal(TunnelStatus.Established, h.Status);
        Assert.Equal(new TunnelTarget(TunnelKind.Socks5, "::1", 443), h.Target);
        Assert.True(h.ClientAuthenticated);
        Assert.Equal(ClientHello, h.TakeLeftover(C));
    }

    [Theory]
    [InlineData(new byte[] { 5, 0xFF }, 0xFF)]                       // no acceptable method
    [InlineData(new byte[] { 5, 0, 5, 5, 0, 1, 0, 0, 0, 0, 0, 0 }, 5)] // connection refused
    public void Socks5_Refusals(byte[] server, int code)
    {
        var h = Run(TunnelKind.Socks5, (C, [5, 1, 0]), (C, [5, 1, 0, 1, 10, 0, 0, 1, 0, 25]), (S, server));
        Assert.Equal(TunnelStatus.Rejected, h.Status);
        Assert.Equal(code, h.ReplyCode);
    }

    [Fact]
    public void Socks5_Gssapi_And_UdpAssociate_AreUnfollowable()
    {
        Assert.Equal("socks_unsupported_method", Run(TunnelKind.Socks5, (C, [5, 1, 1]), (S, [5, 1])).Anomaly);
        Assert.Equal("socks_unsupported_command", Run(TunnelKind.Socks5, (C, [5, 1, 0]), (S, [5, 0]), (C, [5, 3, 0, 1, 0, 0, 0, 0, 0, 0])).Anomaly);
    }

    [Fact]
    public void Socks4_And_Socks4a()
    {
        var h4 = Run(TunnelKind.Socks4, (C, Cat([4, 1, 0, 25, 192, 0, 2, 7], A("bob"), [0], A("EHLO"))), (S, [0, 0x5A, 0, 0, 0, 0, 0, 0]));
        Assert.Equal(TunnelStatus.Established, h4.Status);
        Assert.Equal(new TunnelTarget(TunnelKind.Socks4, "192.0.2.7", 25), h4.Target);
        Assert.Equal("EHLO", Encoding.ASCII.GetString(h4.TakeLeftover(C)));

        var h4a = Run(TunnelKind.Socks4, (C, Cat([4, 1, 1, 0xBB, 0, 0, 0, 9], [0], A("api.sendgrid.com"), [0])), (S, [0, 0x5A, 0, 0, 0, 0, 0, 0]));
        Assert.Equal(new TunnelTarget(TunnelKind.Socks4a, "api.sendgrid.com", 443), h4a.Target);

        var refused = Run(TunnelKind.Socks4, (C, Cat([4, 1, 0, 25, 192, 0, 2, 7], [0])), (S, [0, 0x5B, 0, 0, 0, 0, 0, 0]));
        Assert.Equal(TunnelStatus.Rejected, refused.Status);
    }

    [Fact]
    public void Socks5_ByteByByte_GivesTheSameResult_AndTruncatedStaysInProgress()
    {
        byte[] name = A("api.postmarkapp.com");
        var client = Cat([5, 2, 0, 2], [1, 1, (byte)'u', 1, (byte)'p'], Cat([5, 1, 0, 3, (byte)name.Length], name, [1, 0xBB]), ClientHello);
        var server = Cat([5, 2], [1, 0], [5, 0, 0, 1, 10, 0, 0, 1, 0x1F, 0x90]);
        var h = new TunnelHandshake(TunnelKind.Socks5, new TunnelOptions());
        foreach (var b in client) h.Feed(C, [b]);
        foreach (var b in server) h.Feed(S, [b]);
        Assert.Equal(TunnelStatus.Established, h.Status);
        Assert.Equal(new TunnelTarget(TunnelKind.Socks5, "api.postmarkapp.com", 443), h.Target);
        Assert.Equal(ClientHello, h.TakeLeftover(C));

        // Every cut of the server's answers short of the final reply: asked, never answered.
        for (int cut = 0; cut < server.Length; cut++)
        {
            var t = new TunnelHandshake(TunnelKind.Socks5, new TunnelOptions());
            t.Feed(C, client);
            t.Feed(S, server.AsSpan(0, cut));
            Assert.Equal(TunnelStatus.InProgress, t.Status);
        }
    }

    [Fact]
    public void Socks5_MalformedReplies_AreUnfollowable()
    {
        // An unknown ATYP in the request reply, and a SOCKS4-style answer to a SOCKS5 greeting.
        var badAtyp = Run(TunnelKind.Socks5, (C, [5, 1, 0]), (S, [5, 0]), (C, [5, 1, 0, 1, 10, 0, 0, 1, 0, 25]), (S, [5, 0, 0, 9, 0, 0]));
        var wrongVersion = Run(TunnelKind.Socks5, (C, [5, 1, 0]), (S, [4, 0]));
        foreach (var h in new[] { badAtyp, wrongVersion })
        {
            Assert.Equal(TunnelStatus.Unfollowable, h.Status);
            Assert.Equal(TunnelAnomalies.TunnelBadReply, h.Anomaly);
        }
    }

    [Theory]
    [InlineData(new byte[] { (byte)'C', (byte)'O', (byte)'N' }, ProbeResult.NeedMore)]
    [InlineData(new byte[] { (byte)'C', (byte)'O', (byte)'P' }, ProbeResult.NoMatch)]
    [InlineData(new byte[] { 5, 1, 0 }, ProbeResult.Match)]
    [InlineData(new byte[] { 5, 2, 0 }, ProbeResult.NeedMore)]
    [InlineData(new byte[] { 5, 0 }, ProbeResult.NoMatch)]
    [InlineData(new byte[] { 5, 1, 0x40 }, ProbeResult.NoMatch)]
    [InlineData(new byte[] { 5, 1, 0, 0x16 }, ProbeResult.NoMatch)]
    [InlineData(new byte[] { 4, 1, 0, 25, 1, 2, 3, 4, 0 }, ProbeResult.Match)]
    [InlineData(new byte[] { 4, 2, 0, 25, 1, 2, 3, 4, 0 }, ProbeResult.NoMatch)]
    [InlineData(new byte[] { 0x16, 3, 1 }, ProbeResult.NoMatch)]
    [InlineData(new byte[] { (byte)'E', (byte)'H' }, ProbeResult.NoMatch)]
    public void Probe_DecidesOnStructure(byte[] first, ProbeResult expected) =>
        Assert.Equal(expected, TunnelHandshake.Probe(first, out _));
}
