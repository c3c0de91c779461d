using McpEgress.Detection;
using McpEgress.Mail;
using static McpEgress.Tests.Detection.TestMessages;

namespace McpEgress.Tests.Detection;

public class HiddenRecipientRuleTests
{
    private static List<Alert> Run(MailMessage m, params string[] allowed)
    {
        var alerts = new List<Alert>();
        new HiddenRecipientRule(allowed.Select(DomainPattern.Parse)).Evaluate(m, alerts);
        return alerts;
    }

    private static MailMessage WithBcc(string from, string to, string bcc) => new MailMessage
    {
        Transport = MailTransport.Smtp,
        From = from.Length == 0 ? [] : A(from),
        To = to.Length == 0 ? [] : A(to),
        Bcc = A(bcc),
    };

    [Fact]
    public void EnvelopeOnlyForeignRecipientAlerts()
    {
        var alert = Assert.Single(Run(PostmarkMcp()));
        Assert.Equal("hidden-foreign-domain", alert.RuleId);
        Assert.Equal(Severity.High, alert.Severity);
        Assert.Equal(RecipientRole.Envelope, alert.Role);
        Assert.Equal("phan@giftshop.club", alert.Address.Address);
        Assert.Equal(
            "Hidden recipient phan@giftshop.club (an envelope recipient no To/Cc header shows) is in foreign domain giftshop.club: " +
            "it is not the sender's domain example.com, not a visible recipient's domain, and not allowed.", alert.Message);
    }

    [Fact]
    public void BccForeignRecipientAlertsWithBccRole()
    {
        var alert = Assert.Single(Run(WithBcc("alice@example.com", "bob@customer.test", "spy@evil.test")));
        Assert.Equal(RecipientRole.Bcc, alert.Role);
        Assert.Contains("(listed only in a Bcc field)", alert.Message);
    }

    [Fact]
    public void ResentBccRoleKept()
    {
        var m = new MailMessage { Transport = MailTransport.Smtp, From = A("a@example.com"), ResentBcc = A("spy@evil.test") };
        Assert.Equal(RecipientRole.ResentBcc, Assert.Single(Run(m)).Role);
    }

    [Theory]
    [InlineData("alice@example.com", "archive@example.com")]
    [InlineData("alice@example.com", "archive@EXAMPLE.com.")]
    [InlineData("alice@mail.example.com", "archive@example.com")] // parent of the sender's domain: own organisation
    [InlineData("alice@example.com", "archive@vault.example.com")] // child of the sender's domain
    public void HiddenInSendersOwnDomainIsNothing(string from, string bcc) =>
        Assert.Empty(Run(WithBcc(from, "bob@customer.test", bcc)));

    [Fact]
    public void SenderDomainFallsBackToMailFrom()
    {
        var m = new MailMessage
        {
            Transport = MailTransport.Smtp,
            To = A("bob@customer.test"),
            Envelope = new SmtpEnvelope
            {
                MailFrom = "bounce@example.com",
                RcptTo = [new EnvelopeRecipient("bob@customer.test", 250), new EnvelopeRecipient("archive@example.com", 250)],
            },
        };
        Assert.Empty(Run(m));
    }

    [Theory]
    [InlineData("bob@customer.test", "carol@customer.test")]
    [InlineData("bob@customer.test", "carol@eu.customer.test")]
    public void HiddenInAVisibleRecipientsDomainIsNothing(string to, string bcc) =>
        Assert.Empty(Run(WithBcc("alice@example.com", to, bcc)));

    [Fact]
    public void VisibleCcAndResentDomainsCount()
    {
        var m = new MailMessage
        {
            Transport = MailTransport.Smtp,
            From = A("alice@example.com"),
            Cc = A("x@one.test"),
            ResentTo = A("y@two.test"),
            ResentCc = A("z@three.test"),
            Bcc = A("a@one.test", "b@two.test", "c@three.test", "d@four.test"),
        };
        Assert.Equal("d@four.test", Assert.Single(Run(m)).Address.Address);
    }

    [Theory]
    [InlineData("partner.example", "p@partner.example", 0)]
    [InlineData("partner.example", "p@mx.partner.example", 0)]
    [InlineData("*.partner.example", "p@mx.partner.example", 0)]
    [InlineData("*.partner.example", "p@partner.example", 1)]
    [InlineData("partner.example", "p@other.example", 1)]
    [InlineData("Partner.Example.", "p@PARTNER.example", 0)]
    public void AllowedList(string allowed, string bcc, int alerts) =>
        Assert.Equal(alerts, Run(WithBcc("alice@example.com", "bob@customer.test", bcc), allowed).Count);

    [Fact]
    public void UnknownSenderStillAlerts()
    {
        var alert = Assert.Single(Run(WithBcc("", "bob@customer.test", "spy@evil.test")));
        Assert.Contains("it is not the sender's domain, which is unknown,", alert.Message);
    }

    [Fact]
    public void UnknownSenderButVisibleDomainIsNothing() =>
        Assert.Empty(Run(WithBcc("", "bob@customer.test", "carol@customer.test")));

    [Fact]
    public void IdnHiddenEqualsPunycodeSender() =>
        Assert.Empty(Run(WithBcc("a@bücher.example", "bob@customer.test", "b@xn--bcher-kva.example")));

    [Fact]
    public void VisibleRecipientsAreNotHidden()
    {
        var m = new MailMessage
        {
            Transport = MailTransport.Smtp,
            From = A("alice@example.com"),
            To = A("bob@customer.test", "eve@elsewhere.test"),
            Envelope = new SmtpEnvelope { RcptTo = [new EnvelopeRecipient("bob@customer.test", 250), new EnvelopeRecipient("eve@elsewhere.test", 250)] },
        };
        Assert.Empty(m.Hidden);
        Assert.Empty(Run(m));
    }

    [Fact]
    public void HiddenIsDerivedFromTheRecipientListsWithoutTheProducerResolvingIt()
    {
        // No producer can forget RecipientResolver: MailMessage.Hidden derives itself, once, on first read.
        var m = new MailMessage { Transport = MailTransport.Smtp, From = A("alice@example.com"), Bcc = A("spy@evil.test") };
        Assert.Single(Run(m));
        var h = Assert.Single(m.Hidden);
        Assert.Equal("spy@evil.test", h.Address.Address);
        Assert.Equal(HiddenReason.BccField, h.Reason);
        Assert.Same(m.Hidden, m.Hidden);
    }

    [Fact]
    public void HiddenAddressWithoutDomainSkipped()
    {
        var m = new MailMessage
        {
            Transport = MailTransport.Smtp,
            From = A("alice@example.com"),
            Envelope = new SmtpEnvelope { RcptTo = [new EnvelopeRecipient("postmaster", 250)] },
        };
        Assert.Single(m.Hidden);
        Assert.Empty(Run(m));
    }
}
