using McpEgress.Detection;
using McpEgress.Mail;
using static McpEgress.Tests.Detection.TestMessages;

namespace McpEgress.Tests.Detection;

public class DetectionEngineTests
{
    [Fact]
    public void DefaultPolicyDeniedHiddenRecipientRaisesBothRules()
    {
        var alerts = new DetectionEngine(DetectionPolicy.Default).Evaluate(PostmarkMcp());
        // new-hidden-domain (medium) beside them: the first hidden copy from this host to giftshop.club.
        Assert.Equal(["denied-domain", "hidden-foreign-domain", "new-hidden-domain"], alerts.Select(a => a.RuleId));
        Assert.Equal([Severity.Critical, Severity.High, Severity.Medium], alerts.Select(a => a.Severity));
        Assert.All(alerts, a => Assert.Equal("phan@giftshop.club", a.Address.Address));
    }

    [Fact]
    public void CleanMessageNoAlerts()
    {
        var m = new MailMessage { Transport = MailTransport.Smtp, From = A("alice@example.com"), To = A("bob@customer.test") };
        Assert.Empty(new DetectionEngine(DetectionPolicy.Default).Evaluate(m));
    }

    [Fact]
    public void DisabledRuleAndSeverityOverride()
    {
        var policy = new DetectionPolicy
        {
            Rules = new Dictionary<string, RuleSettings>
            {
                ["denied-domain"] = new(Enabled: false),
                ["hidden-foreign-domain"] = new(Severity: Severity.Medium),
                ["new-hidden-domain"] = new(Enabled: false),
                ["hidden-sink"] = new(Severity: Severity.High),
            },
        };
        var engine = new DetectionEngine(policy);
        var alert = Assert.Single(engine.Evaluate(PostmarkMcp()));
        Assert.Equal("hidden-foreign-domain", alert.RuleId);
        Assert.Equal(Severity.Medium, alert.Severity);
        Assert.Equal(["hidden-foreign-domain", "limit-exceeded", "hidden-sink", "behaviour-change"], engine.Rules.Select(r => r.Id));
        Assert.Equal(Severity.High, ((HiddenSinkRule)engine.Rules[2]).Severity);
    }

    [Fact]
    public void AllowedHiddenDomainDoesNotSilenceDeniedDomain()
    {
        var engine = new DetectionEngine(new DetectionPolicy { AllowedHiddenDomains = ["giftshop.club"] });
        Assert.Equal("denied-domain", Assert.Single(engine.Evaluate(PostmarkMcp())).RuleId);
    }

    [Fact]
    public void InvalidPolicyRejected()
    {
        Assert.Throws<ArgumentException>(() => new DetectionEngine(new DetectionPolicy { DeniedDomains = ["bad..domain"] }));
        var e = Assert.Throws<ArgumentException>(() => new DetectionEngine(new DetectionPolicy
        {
            Rules = new Dictionary<string, RuleSettings> { ["nope"] = new() },
        }));
        Assert.StartsWith("unknown rule id \"nope\"", e.Message);
    }
}
