using McpEgress.Protocols;
using McpEgress.Protocols.Tls;
using static McpEgress.Tests.Tls.TlsTestUtil;

namespace McpEgress.Tests.Tls;

public class TlsProbeTests
{
    [Fact]
    public void ClientHello_MatchesAfterElevenBytes_NeedMoreBefore()
    {
        var hello = Rfc8448Tests.ClientHelloRecord;
        for (int n = 0; n < TlsProbe.BytesNeeded; n++) Assert.Equal(ProbeResult.NeedMore, TlsProbe.Probe(hello.AsSpan(0, n)));
        for (int n = TlsProbe.BytesNeeded; n <= hello.Length; n++) Assert.Equal(ProbeResult.Match, TlsProbe.Probe(hello.AsSpan(0, n)));
    }

    [Theory]
    [InlineData("45484c4f20782e6f72670d0a")]             // "EHLO x.org\r\n"
    [InlineData("474554202f20485454502f312e310d0a")]     // "GET / HTTP/1.1\r\n"
    [InlineData("16 03 05 00 c4 01 00 00 c0 03 03")]      // record version 0x0305
    [InlineData("16 02 01 00 c4 01 00 00 c0 03 03")]      // major version 2
    [InlineData("17 03 03 00 c4 01 00 00 c0 03 03")]      // application data, not handshake
    [InlineData("16 03 01 00 c4 02 00 00 c0 03 03")]      // ServerHello, not ClientHello
    [InlineData("16 03 01 00 c4 01 00 00 10 03 03")]      // hello too short for its fields
    [InlineData("16 03 01 00 c4 01 00 00 20 03 03")]      // record longer than the hello it holds
    [InlineData("16 03 01 50 00 01 00 50 00 03 03")]      // record over 2^14
    [InlineData("16 03 01 00 c4 01 00 00 c0 07 03")]      // hello legacy_version major 7
    [InlineData("80 2e 01 03 01 00 15 00 00 00 10")]      // SSLv2-style hello: not supported
    public void NotAClientHello_NoMatch(string hex) => Assert.Equal(ProbeResult.NoMatch, TlsProbe.Probe(Hex(hex)));

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var rng = new Random(7);
        var buffer = new byte[32];
        for (int i = 0; i < 10000; i++)
        {
            rng.NextBytes(buffer);
            if (i % 3 == 0) buffer[0] = 22;
            _ = TlsProbe.Probe(buffer.AsSpan(0, rng.Next(buffer.Length + 1)));
        }
    }
}
