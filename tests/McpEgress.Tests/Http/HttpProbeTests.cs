using McpEgress.Diagnostics;
using McpEgress.Protocols;
using McpEgress.Protocols.Http;

namespace McpEgress.Tests.Http;

public class HttpProbeTests
{
    [Theory]
    [InlineData("GET / HTTP/1.1\r\n", ProbeResult.Match)]
    [InlineData("POST /v3/mail/send HTTP/1.1\r\nHost: x\r\n", ProbeResult.Match)]
    [InlineData("GET / HTTP/1.0\n", ProbeResult.Match)]
    [InlineData("M-SEARCH * HTTP/1.1\r\n", ProbeResult.Match)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", ProbeResult.Match)]
    [InlineData("PRI * HTTP/2.0\r\n", ProbeResult.NeedMore)]
    [InlineData("", ProbeResult.NeedMore)]
    [InlineData("GE", ProbeResult.NeedMore)]
    [InlineData("GET /long/path", ProbeResult.NeedMore)]
    [InlineData("EHLO client.example.com\r\n", ProbeResult.NoMatch)]
    [InlineData("220 smtp.example.com ESMTP\r\n", ProbeResult.NoMatch)]
    [InlineData("GET / HTTP/2.0\r\n", ProbeResult.NoMatch)]
    [InlineData("GET  HTTP/1.1\r\n", ProbeResult.NoMatch)]
    [InlineData("G(T / HTTP/1.1\r\n", ProbeResult.NoMatch)]
    [InlineData("\u0016\u0003\u0001\u0002\u0000", ProbeResult.NoMatch)] // TLS ClientHello
    public void Probe(string input, ProbeResult expected) => Assert.Equal(expected, HttpProbe.Probe(Bytes.Ascii(input)));

    [Fact]
    public void EveryPrefixOfARequestLineIsNeedMoreThenMatch()
    {
        var line = Bytes.Ascii("POST /email HTTP/1.1\r\n");
        for (int i = 0; i < line.Length; i++)
            Assert.Equal(ProbeResult.NeedMore, HttpProbe.Probe(line.AsSpan(0, i)));
        Assert.Equal(ProbeResult.Match, HttpProbe.Probe(line));
        var preface = HttpProbe.Http2Preface.ToArray();
        for (int i = 0; i < preface.Length; i++)
            Assert.Equal(ProbeResult.NeedMore, HttpProbe.IsHttp2Preface(preface.AsSpan(0, i)));
        Assert.Equal(ProbeResult.Match, HttpProbe.IsHttp2Preface(preface));
    }

    [Fact]
    public void ConnectionPicksVersionByContent()
    {
        var h = new RecordingHandler();
        var c1 = new HttpConnection(HttpOptions.Default, h, new AnomalyCounters());
        c1.OnClientData(Bytes.Ascii("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"), 1);
        c1.OnServerData(Bytes.Ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), 2);
        Assert.Equal("HTTP/1", c1.Version);
        Assert.Equal("HTTP/1.1", Assert.Single(h.Requests).Version);

        var h2 = new RecordingHandler();
        var c2 = new HttpConnection(HttpOptions.Default, h2, new AnomalyCounters());
        var enc = new TestHpackEncoder();
        var client = Bytes.Concat(H2.Preface, H2.Headers(1, enc.Encode((":method", "GET"), (":path", "/b")), true));
        // Server SETTINGS arrive before the decision, then the client preface in small pieces.
        c2.OnServerData(H2.Settings((0x1, 4096)), 1);
        for (int i = 0; i < client.Length; i += 5)
            c2.OnClientData(client.AsSpan(i, Math.Min(5, client.Length - i)), 2);
        Assert.Equal("HTTP/2", c2.Version);
        c2.OnServerData(H2.Headers(1, new TestHpackEncoder().Encode((":status", "200")), true), 3);
        Assert.Equal("/b", Assert.Single(h2.Requests).Target);

        var c3 = new HttpConnection(HttpOptions.Default, new RecordingHandler(), new AnomalyCounters(), alpn: "h2");
        Assert.Equal("HTTP/2", c3.Version);
    }
}
