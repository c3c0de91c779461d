using McpEgress.Detection;

namespace McpEgress.Tests.Prometheus;

public class RegistrableDomainTests
{
    [Theory]
    [InlineData("giftshop.club", "giftshop.club")]
    [InlineData("mail.giftshop.club", "giftshop.club")]
    [InlineData("a.b.c.example.com", "example.com")]
    [InlineData("example.co.uk", "example.co.uk")]
    [InlineData("mx.example.co.uk", "example.co.uk")]
    [InlineData("shop.example.com.au", "example.com.au")]
    [InlineData("co.uk", "co.uk")]
    [InlineData("localhost", "localhost")]
    [InlineData("example.com.", "example.com")]
    [InlineData("bücher.example", "bücher.example")]
    [InlineData("[192.0.2.1]", "")]
    [InlineData("192.0.2.1", "")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Of(string? domain, string expected) => Assert.Equal(expected, RegistrableDomain.Of(domain));
}
