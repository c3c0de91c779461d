using McpEgress.Mail;

namespace McpEgress.Tests.Imf;

/// <summary>MailAddress.Domain normalises IDN domains (changed with the Imf layer, which keeps addresses as written).</summary>
public class MailAddressDomainTests
{
    [Theory]
    [InlineData("u@bücher.example", "bücher.example")]
    [InlineData("u@xn--bcher-kva.example", "bücher.example")]
    [InlineData("u@XN--BCHER-KVA.Example.", "bücher.example")]
    [InlineData("u@BÜCHER.example", "bücher.example")]
    [InlineData("u@Example.COM.", "example.com")]
    [InlineData("u@[192.0.2.1]", "[192.0.2.1]")]
    [InlineData("u@xn--invalid--.example", "xn--invalid--.example")]
    [InlineData("u@", "")]
    [InlineData("u", "")]
    public void Domain(string address, string expected) => Assert.Equal(expected, new MailAddress(address).Domain);

    [Fact]
    public void PunycodeAndUnicodeFormsCompareEqual() =>
        Assert.Equal(new MailAddress("a@пример.рф").Domain, new MailAddress("a@xn--e1afmkfd.xn--p1ai").Domain);
}
