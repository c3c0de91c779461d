using McpEgress.Config;
using McpEgress.Detection;
using McpEgress.Export;
using McpEgress.Tests.MailApis;

namespace McpEgress.Tests.Pipeline;

/// <summary>
/// One call with many bad addresses is one alert per rule, listing them (capped, counted), and every event caps its
/// address lists: before this, 1,000 Bcc addresses wrote 1,000 alerts each repeating all 1,000 (73.8 MB).
/// </summary>
public sealed class AlertAmplificationTests
{
    private static McpEgress.Mail.MailMessage SendGridWithBcc(int count, string domain = "outside.example")
    {
        var bcc = string.Join(",", Enumerable.Range(1, count).Select(i => $$"""{"email":"spy{{i}}@{{domain}}"}"""));
        var json = $$"""{"personalizations":[{"to":[{"email":"x@customer.example"}],"bcc":[{{bcc}}]}],"from":{"email":"app@corp.example"},"subject":"s","content":[{"type":"text/plain","value":"t"}]}""";
        return Assert.Single(Api.Run(Api.Json("api.sendgrid.com", "/v3/mail/send", json)).Messages);
    }

    [Fact]
    public void ThousandForeignBccs_AreOneAlertListingThem()
    {
        var m = SendGridWithBcc(1000);
        var alerts = new DetectionEngine(McpEgressConfig.Default.Detection).Evaluate(m);
        // new-hidden-domain (medium) names outside.example once, beside the one hidden-foreign-domain alert.
        Assert.Single(alerts, x => x.RuleId == "new-hidden-domain");
        var a = Assert.Single(alerts, x => x.RuleId == "hidden-foreign-domain");
        Assert.Equal("hidden-foreign-domain", a.RuleId);
        Assert.Equal(1000, a.MatchCount);
        Assert.Equal(1000, a.Matches.Count);
        Assert.Equal("spy1@outside.example", a.Address.Address);
        Assert.StartsWith("1000 recipients: Hidden recipient spy1@outside.example", a.Message, StringComparison.Ordinal);

        using var ms = new MemoryStream();
        using (var w = new EcsEventWriter(ms, new EcsWriterOptions { LeaveOpen = true }))
        {
            w.WriteMessage(m);
            foreach (var x in alerts) w.WriteAlert(x);
        }
        // Two events of ~60 KB each: the message's 1,000 Bcc addresses, and the alert's 1,000 plus the message fields.
        Assert.InRange(ms.Length, 50_000, 400_000);
    }

    [Fact]
    public void MatchesAreCappedButCounted()
    {
        var m = SendGridWithBcc(1500);
        var engine = new DetectionEngine(McpEgressConfig.Default.Detection) { MaxMatchesPerAlert = 100 };
        var a = Assert.Single(engine.Evaluate(m), x => x.RuleId == "hidden-foreign-domain");
        Assert.Equal(1500, a.MatchCount);
        Assert.Equal(100, a.Matches.Count);
        Assert.EndsWith(" and 1490 more.", a.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EventAddressListsAreCapped_AndSaySo()
    {
        var m = SendGridWithBcc(2500);
        using var ms = new MemoryStream();
        using (var w = new EcsEventWriter(ms, new EcsWriterOptions { LeaveOpen = true, MaxAddressesPerEvent = 1000 }))
            w.WriteMessage(m);
        using var doc = System.Text.Json.JsonDocument.Parse(ms.ToArray());
        var root = doc.RootElement;
        Assert.Equal(1000, root.GetProperty("email").GetProperty("bcc").GetProperty("address").GetArrayLength());
        Assert.Equal(1000, root.GetProperty("mcp_egress").GetProperty("hidden_recipients").GetArrayLength());
        Assert.Equal(2500, root.GetProperty("mcp_egress").GetProperty("hidden_count").GetInt64()); // the count stays whole
        var t = Assert.Single(root.GetProperty("mcp_egress").GetProperty("truncated").EnumerateArray());
        Assert.Equal("export.max_addresses_per_event", t.GetProperty("limit").GetString());
        Assert.Equal(3000, t.GetProperty("cut").GetInt64()); // 1,500 from email.bcc and 1,500 from hidden_recipients
    }
}
