using McpEgress.Detection;
using McpEgress.Mail;

namespace McpEgress.Tests.Detection;

public class DomainNameTests
{
    [Theory]
    [InlineData("Example.COM", "example.com")]
    [InlineData("example.com.", "example.com")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("BÜCHER.example", "xn--bcher-kva.example")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Normalize(string? input, string expected) => Assert.Equal(expected, DomainName.Normalize(input));

    /// <summary>
    /// The allocation-free forms the rules use (<see cref="DomainName.TryAsciiDomainOf"/> and the span match of
    /// <see cref="DomainPattern"/>) agree with <see cref="MailAddress.Domain"/> and <see cref="DomainName.Normalize"/>
    /// for every shape of address: case, trailing dots, IDN in either form, no '@', an empty domain, a domain literal.
    /// </summary>
    [Theory]
    [InlineData("a@Example.COM")]
    [InlineData("a@example.com.")]
    [InlineData("a@EXAMPLE.com..")]
    [InlineData("a@bücher.example")]
    [InlineData("a@XN--BCHER-KVA.example")]
    [InlineData("a@xn--bcher-kva.example")]
    [InlineData("no-at-sign")]
    [InlineData("a@")]
    [InlineData("a@.")]
    [InlineData("a@[192.0.2.1]")]
    [InlineData("we\"ird@x\"@Mail.Giftshop.Club")]
    [InlineData("a@LONG.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.Example")] // longer than a DNS name
    public void FastDomainFormsAgreeWithTheSlowOnes(string address)
    {
        var a = new MailAddress(address);
        foreach (var entry in new[] { "giftshop.club", "*.giftshop.club", "example.com", "*.example", "xn--bcher-kva.example" })
        {
            var p = DomainPattern.Parse(entry);
            string normalized = DomainName.Normalize(a.Domain);
            if (DomainName.TryAsciiDomainOf(address, out var span))
                Assert.Equal(normalized.Length > 0 && p.Matches(normalized), span.Length > 0 && p.Matches(span));
        }
    }

    [Fact]
    public void SinkKeyIsTheSameOnTheAsciiFastPath()
    {
        // Built the slow way by hand: local part lower-cased without its +tag, '@', the normalized domain.
        Assert.Equal("stats@quiet.example", HiddenRecipients.SinkKey(new MailAddress("STATS+q3@Quiet.EXAMPLE..")));
        Assert.Equal("ünï@quiet.example", HiddenRecipients.SinkKey(new MailAddress("ÜNÏ+x@quiet.example")));
        Assert.Equal("+x@quiet.example", HiddenRecipients.SinkKey(new MailAddress("+X@quiet.example"))); // a leading '+' is no tag
    }

    [Theory]
    [InlineData("example.com", "example.com", true)]
    [InlineData("a.b.example.com", "example.com", true)]
    [InlineData("badexample.com", "example.com", false)] // suffix match must stop at a label boundary
    [InlineData("example.com", "a.example.com", false)]
    [InlineData("com", "example.com", false)]
    public void SameOrSubdomain(string domain, string parent, bool expected) =>
        Assert.Equal(expected, DomainName.IsSameOrSubdomainOf(domain, parent));

    [Theory]
    [InlineData("mail.example.com", "example.com", true)]
    [InlineData("example.com", "mail.example.com", true)]
    [InlineData("a.co.uk", "b.co.uk", false)]
    public void Related(string a, string b, bool expected) => Assert.Equal(expected, DomainName.AreRelated(a, b));

    [Theory]
    [InlineData("giftshop.club", "giftshop.club", false)]
    [InlineData("*.giftshop.club", "giftshop.club", true)]
    [InlineData("GiftShop.Club.", "giftshop.club", false)]
    [InlineData("bücher.example", "xn--bcher-kva.example", false)]
    public void PatternParses(string text, string domain, bool subdomainsOnly)
    {
        var p = DomainPattern.Parse(text);
        Assert.Equal(domain, p.Domain);
        Assert.Equal(subdomainsOnly, p.SubdomainsOnly);
        Assert.Equal(text, p.Text);
    }

    [Fact]
    public void WildcardMatchesOnlySubdomains()
    {
        var p = DomainPattern.Parse("*.example.com");
        Assert.True(p.Matches("a.example.com"));
        Assert.False(p.Matches("example.com"));
        var q = DomainPattern.Parse("example.com");
        Assert.True(q.Matches("example.com"));
        Assert.True(q.Matches("a.example.com"));
        Assert.False(q.Matches("notexample.com"));
    }

    [Theory]
    [InlineData("", "empty domain")]
    [InlineData("bad..domain", "empty label")]
    [InlineData("has space.com", "contains whitespace")]
    [InlineData("phan@giftshop.club", "expected a domain, not an address")]
    [InlineData("-x.com", "label \"-x\" starts or ends with '-'")]
    [InlineData("a_b.com", "invalid character '_'")]
    [InlineData("a.*.com", "'*' is only allowed as a leading \"*.\"")]
    [InlineData("*.", "empty domain")]
    public void PatternRejects(string text, string error)
    {
        Assert.False(DomainPattern.TryParse(text, out var p, out var why));
        Assert.Null(p);
        Assert.Equal(error, why);
    }

    [Fact]
    public void PatternRejectsLongLabel()
    {
        Assert.False(DomainPattern.TryParse(new string('a', 64) + ".com", out _, out var why));
        Assert.StartsWith("label \"aaaa", why);
        Assert.EndsWith("is longer than 63 characters", why);
    }
}
