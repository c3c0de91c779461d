using McpEgress.Protocols;
using System.Text;
using McpEgress.Protocols.Smtp;

namespace McpEgress.Tests.Smtp;

public class SmtpProbeTests
{
    private static ProbeResult P(string client, string server) => SmtpProbe.Probe(Encoding.ASCII.GetBytes(client), Encoding.ASCII.GetBytes(server));

    [Theory]
    [InlineData("", "220 mx.example.org ESMTP Postfix\r\n", ProbeResult.Match)]
    [InlineData("", "220-mx.example.org ESMTP\r\n", ProbeResult.Match)]
    [InlineData("EHLO c\r\n", "220 mx\r\n", ProbeResult.Match)]
    [InlineData("ehlo c\r\n", "", ProbeResult.Match)]
    [InlineData("HELO c", "", ProbeResult.Match)]
    [InlineData("EHLO\r\n", "", ProbeResult.Match)]
    [InlineData("QUIT\r\n", "220 mx\r\n", ProbeResult.Match)]
    [InlineData("", "", ProbeResult.NeedMore)]
    [InlineData("", "22", ProbeResult.NeedMore)]
    [InlineData("", "220", ProbeResult.NeedMore)]
    [InlineData("", "220 mx.exa", ProbeResult.NeedMore)]
    [InlineData("EH", "", ProbeResult.NeedMore)]
    [InlineData("", "HTTP/1.1 200 OK\r\n", ProbeResult.NoMatch)]
    [InlineData("GET / HTTP/1.1\r\n", "", ProbeResult.NoMatch)]
    [InlineData("USER anonymous\r\n", "220 ProFTPD ready\r\n", ProbeResult.NoMatch)] // FTP greets with 220 too
    [InlineData("", "2200 x\r\n", ProbeResult.NoMatch)]
    [InlineData("EHLO c\r\n", "SSH-2.0-OpenSSH\r\n", ProbeResult.NoMatch)]
    public void Probe_answers_three_ways(string client, string server, ProbeResult expected) => Assert.Equal(expected, P(client, server));

    [Fact]
    public void Tls_client_hello_is_no_match()
    {
        byte[] hello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        Assert.Equal(ProbeResult.NoMatch, SmtpProbe.Probe(hello, default));
    }

    [Fact]
    public void Every_prefix_of_a_real_start_is_need_more_or_match()
    {
        byte[] server = "220 mx.example.org ESMTP\r\n"u8.ToArray();
        byte[] client = "EHLO client.example\r\n"u8.ToArray();
        for (int i = 0; i <= server.Length; i++)
        for (int j = 0; j <= client.Length; j++)
            Assert.NotEqual(ProbeResult.NoMatch, SmtpProbe.Probe(client.AsSpan(0, j), server.AsSpan(0, i)));
        Assert.Equal(ProbeResult.Match, SmtpProbe.Probe(client, server));
    }
}
