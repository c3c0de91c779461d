using McpEgress.Detection;
using McpEgress.Mail;
using static McpEgress.Tests.Detection.TestMessages;

namespace McpEgress.Tests.Detection;

public class DeniedDomainRuleTests
{
    private static List<Alert> Run(MailMessage m, params string[] denied)
    {
        var rule = new DeniedDomainRule((denied.Length == 0 ? ["giftshop.club"] : denied).Select(DomainPattern.Parse));
        var alerts = new List<Alert>();
        rule.Evaluate(m, alerts);
        return alerts;
    }

    private static MailMessage Plain() => new()
    {
        Transport = MailTransport.Smtp,
        From = A("alice@example.com"),
        To = A("bob@customer.test"),
    };

    public static TheoryData<string, RecipientRole> Roles() => new()
    {
        { "to", RecipientRole.To },
        { "cc", RecipientRole.Cc },
        { "bcc", RecipientRole.Bcc },
        { "resent_to", RecipientRole.ResentTo },
        { "resent_cc", RecipientRole.ResentCc },
        { "resent_bcc", RecipientRole.ResentBcc },
        { "rcpt", RecipientRole.Envelope },
        { "api_envelope", RecipientRole.Envelope },
        { "reply_to", RecipientRole.ReplyTo },
    };

    [Theory]
    [MemberData(nameof(Roles))]
    public void DeniedAddressInEachRoleRaisesOneAlert(string where, RecipientRole expectedRole)
    {
        var bad = A("phan@giftshop.club");
        var m = where switch
        {
            "to" => new MailMessage { Transport = MailTransport.Smtp, From = A("alice@example.com"), To = bad },
            "cc" => new MailMessage { Transport = MailTransport.Smtp, From = A("alice@example.com"), Cc = bad },
            "bcc" => new MailMessage { Transport = MailTransport.Smtp, From = A("alice@example.com"), Bcc = bad },
            "resent_to" => new MailMessage { Transport = MailTransport.Smtp, From = A("alice@example.com"), ResentTo = bad },
            "resent_cc" => new MailMessage { Transport = MailTransport.Smtp, From = A("alice@example.com"), ResentCc = bad },
            "resent_bcc" => new MailMessage { Transport = MailTransport.Smtp, From = A("alice@example.com"), ResentBcc = bad },
            "rcpt" => new MailMessage
            {
                Transport = MailTransport.Smtp, From = A("alice@example.com"),
                Envelope = new SmtpEnvelope { RcptTo = [new EnvelopeRecipient("phan@giftshop.club", 250)] },
            },
            "api_envelope" => new MailMessage { Transport = MailTransport.Http, From = A("alice@example.com"), ApiEnvelope = bad },
            "reply_to" => new MailMessage { Transport = MailTransport.Smtp, From = A("alice@example.com"), ReplyTo = bad },
            _ => throw new ArgumentException(where),
        };

        var alert = Assert.Single(Run(m));
        Assert.Equal("denied-domain", alert.RuleId);
        Assert.Equal(Severity.Critical, alert.Severity);
        Assert.Equal(expectedRole, alert.Role);
        Assert.Equal("phan@giftshop.club", alert.Address.Address);
        Assert.Equal("giftshop.club", alert.Domain);
        Assert.Same(m, alert.Mail);
        Assert.Contains("phan@giftshop.club", alert.Message);
        Assert.Contains("denied domain giftshop.club", alert.Message);
    }

    [Fact]
    public void SentenceNamesAddressRoleAndDomain()
    {
        var alert = Assert.Single(Run(PostmarkMcp()));
        Assert.Equal("Recipient phan@giftshop.club (envelope recipient) is in denied domain giftshop.club.", alert.Message);
    }

    [Fact]
    public void FromInDeniedDomainIsNotARecipient()
    {
        var m = new MailMessage { Transport = MailTransport.Smtp, From = A("phan@giftshop.club"), To = A("bob@customer.test") };
        Assert.Empty(Run(m));
    }

    [Fact]
    public void SubdomainOfDeniedDomainMatches()
    {
        var m = Plain();
        m = new MailMessage { Transport = MailTransport.Smtp, From = m.From, To = A("x@mx.eu.giftshop.club") };
        var alert = Assert.Single(Run(m));
        Assert.Equal("mx.eu.giftshop.club", alert.Domain);
        Assert.Equal("Recipient x@mx.eu.giftshop.club (To) is in denied domain mx.eu.giftshop.club (policy entry giftshop.club).", alert.Message);
    }

    [Fact]
    public void LookAlikeSuffixDoesNotMatch()
    {
        var m = new MailMessage { Transport = MailTransport.Smtp, To = A("x@notgiftshop.club", "y@giftshop.club.evil.test") };
        Assert.Empty(Run(m));
    }

    [Theory]
    [InlineData("PHAN@GiftShop.CLUB")]
    [InlineData("phan@giftshop.club.")]
    public void CaseAndTrailingDotIgnored(string address)
    {
        var m = new MailMessage { Transport = MailTransport.Smtp, Bcc = A(address) };
        Assert.Single(Run(m));
    }

    [Theory]
    [InlineData("bücher.example", "x@xn--bcher-kva.example")]
    [InlineData("xn--bcher-kva.example", "x@bücher.example")]
    [InlineData("xn--bcher-kva.example", "x@BÜCHER.example")]
    public void IdnUnicodeAndPunycodeAreEqual(string denied, string address)
    {
        var m = new MailMessage { Transport = MailTransport.Smtp, To = A(address) };
        Assert.Single(Run(m, denied));
    }

    [Fact]
    public void OneAlertPerAddressEvenWhenInSeveralRoles()
    {
        // Bcc header and RCPT TO name the same address (case differs): one alert, first role (Bcc).
        var m = new MailMessage
        {
            Transport = MailTransport.Smtp,
            From = A("alice@example.com"),
            To = A("bob@customer.test"),
            Bcc = A("phan@giftshop.club"),
            ReplyTo = A("Phan@giftshop.club"),
            Envelope = new SmtpEnvelope { RcptTo = [new EnvelopeRecipient("bob@customer.test", 250), new EnvelopeRecipient("PHAN@giftshop.club", 250)] },
        };
        var alert = Assert.Single(Run(m));
        Assert.Equal(RecipientRole.Bcc, alert.Role);
    }

    [Fact]
    public void TwoDeniedAddressesTwoAlerts()
    {
        var m = new MailMessage { Transport = MailTransport.Smtp, To = A("a@giftshop.club"), Cc = A("b@giftshop.club") };
        var alerts = Run(m);
        Assert.Equal(["a@giftshop.club", "b@giftshop.club"], alerts.Select(a => a.Address.Address));
    }

    [Fact]
    public void RejectedRcptStillAlertsAndSaysSo()
    {
        var m = new MailMessage
        {
            Transport = MailTransport.Smtp,
            Envelope = new SmtpEnvelope { RcptTo = [new EnvelopeRecipient("phan@giftshop.club", 550)] },
        };
        var alert = Assert.Single(Run(m));
        Assert.EndsWith("; the server rejected it with 550.", alert.Message);
    }

    [Fact]
    public void EmptyDenyListNeverAlerts()
    {
        var rule = new DeniedDomainRule([]);
        var alerts = new List<Alert>();
        rule.Evaluate(PostmarkMcp(), alerts);
        Assert.Empty(alerts);
    }

    [Fact]
    public void AddressWithoutDomainIgnored()
    {
        var m = new MailMessage { Transport = MailTransport.Smtp, To = A("postmaster", "") };
        Assert.Empty(Run(m));
    }
}
