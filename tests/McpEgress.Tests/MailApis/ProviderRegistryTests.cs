using McpEgress.Export.Prometheus;
using McpEgress.Protocols.MailApis;

namespace McpEgress.Tests.MailApis;

/// <summary>One descriptor per provider: hosts, paths and extractor registered once; lookups and labels come from it.</summary>
public sealed class ProviderRegistryTests
{
    [Fact]
    public void EveryProviderIsRegisteredOnceAndFindsItsOwnHosts()
    {
        Assert.Equal(MailApiProviders.Ids.Count, MailApiProviders.Ids.Distinct().Count());
        Assert.Equal(12, MailApiProviders.Ids.Count);
        foreach (var p in MailApiProviders.All)
        {
            Assert.True(p.Hosts.Count > 0 || p.HostRule is not null, p.Id + " has no host");
            foreach (var h in p.Hosts) Assert.Equal(p.Id, MailApiHosts.Lookup(h));
            foreach (var s in p.HostSuffixes) Assert.Equal(p.Id, MailApiHosts.Lookup("tenant" + s));
        }
        Assert.Equal("ses", MailApiHosts.Lookup("email.eu-west-1.amazonaws.com"));
        Assert.Null(MailApiHosts.Lookup("email-smtp.eu-west-1.amazonaws.com")); // SES's SMTP interface is SMTP
        Assert.Null(MailApiHosts.Lookup("api.mailgun.net.evil.example"));
    }

    [Fact]
    public void MetricsLabelsComeFromTheRegistry() => Assert.Equal(MailApiProviders.Ids, EgressLabelValues.Providers);

    [Fact]
    public void ASharedHostCountsOnlyItsProvidersPaths()
    {
        var json = """{"raw":"VG86IGFAYi5leGFtcGxlDQpTdWJqZWN0OiBzDQoNCmhp"}""";
        Assert.Null(new MailApiExtractor(MailApiOptions.Default, new MailApiAnomalySink())
            .Extract(Api.Json("www.googleapis.com", "/drive/v3/files", json), "www.googleapis.com"));
        var gmail = Api.Run(Api.Json("www.googleapis.com", "/gmail/v1/users/me/messages/send", json), sni: "www.googleapis.com");
        Assert.Equal("gmail", gmail.Provider);
        Assert.Equal("a@b.example", Api.A(Assert.Single(gmail.Messages).To));
    }
}
