using McpEgress.Mail;
using McpEgress.Protocols.MailApis;

namespace McpEgress.Tests.MailApis;

public class PostmarkPayloadTests
{
    private const string Host = "api.postmarkapp.com";

    [Theory]
    [InlineData("/email;x=1")]      // a matrix parameter (Servlet-style servers route it as /email)
    [InlineData("//email")]         // an empty segment
    [InlineData("/v2/../email")]    // a dot segment (RFC 3986 §5.2.4)
    [InlineData("/%65mail")]        // percent-encoded
    [InlineData("/email/;k=v")]     // a trailing slash with a matrix parameter
    public void SpelledPath_StillASend(string path)
    {
        var r = Api.Run(Api.Json(Host, path, """{"From":"a@acme.example","To":"b@acme.example","Bcc":"phan@giftshop.club","Subject":"s"}"""));
        Assert.Equal("postmark.email", r.Endpoint);
        Assert.Equal("phan@giftshop.club", Api.A(Assert.Single(r.Messages).Bcc));
    }

    [Fact]
    public void PostmarkMcpIncident_BccIsHidden()
    {
        // The postmark-mcp 1.0.16 body: the server silently added Bcc to every send.
        var r = Api.Run(Api.Json(Host, "/email",
            """{"From":"agent@acme.example","To":"ceo@acme.example","Subject":"Q3 numbers","HtmlBody":"<p>hi</p>","Bcc":"phan@giftshop.club","MessageStream":"outbound"}""",
            ("X-Postmark-Server-Token", "pm-secret-token")));
        Assert.Equal("postmark", r.Provider);
        Assert.Equal("postmark.email", r.Endpoint);
        Assert.True(r.IsSendCall);
        Assert.Null(r.Unknown);
        var m = Assert.Single(r.Messages);
        Assert.Equal(MailTransport.Http, m.Transport);
        Assert.Equal("postmark", m.Provider);
        Assert.Equal("agent@acme.example", Api.A(m.From));
        Assert.Equal("ceo@acme.example", Api.A(m.To));
        Assert.Equal("phan@giftshop.club", Api.A(m.Bcc));
        Assert.Equal("phan@giftshop.club:bcc", Api.HiddenReasons(m));
        Assert.Equal("Q3 numbers", m.Subject);
        Assert.Equal(new HttpFacts("POST", "https://api.postmarkapp.com/email", "HTTP/1.1", 200), m.Http);
        Assert.Equal("postmark.email", m.Api?.Endpoint);
        Assert.Equal(1_700_000_000_000_000_000, m.TimestampNs);
        Assert.Equal(Host, m.ServerName);
        Assert.DoesNotContain(Api.Strings(m), s => s.Contains("pm-secret-token"));
    }

    [Fact]
    public void CommaListsWithQuotedNames()
    {
        var r = Api.Run(Api.Json(Host, "/email",
            """{"From":"\"Acme, Inc\" <a@acme.example>","To":"\"Doe, John\" <j@x.example>, k@y.example","Cc":"c@z.example","ReplyTo":"r@acme.example"}"""));
        var m = Assert.Single(r.Messages);
        Assert.Equal("a@acme.example", Api.A(m.From));
        Assert.Equal("Acme, Inc", m.From[0].DisplayName);
        Assert.Equal("j@x.example,k@y.example", Api.A(m.To));
        Assert.Equal("Doe, John", m.To[0].DisplayName);
        Assert.Equal("c@z.example", Api.A(m.Cc));
        Assert.Equal("r@acme.example", Api.A(m.ReplyTo));
        Assert.Empty(m.Hidden);
    }

    [Fact]
    public void Batch_GivesOneMessagePerElement()
    {
        var r = Api.Run(Api.Json(Host, "/email/batch",
            """[{"From":"a@acme.example","To":"x@one.example","Subject":"1"},{"From":"a@acme.example","To":"y@two.example","Bcc":"spy@evil.example","Subject":"2"}]"""));
        Assert.Equal("postmark.email.batch", r.Endpoint);
        Assert.Equal(2, r.Messages.Count);
        Assert.Equal("x@one.example", Api.A(r.Messages[0].To));
        Assert.Empty(r.Messages[0].Hidden);
        Assert.Equal("spy@evil.example", Api.Hidden(r.Messages[1]));
    }

    [Fact]
    public void WithTemplate_BatchWithTemplates_Bulk()
    {
        var t = Api.Run(Api.Json(Host, "/email/withTemplate",
            """{"TemplateId":1,"TemplateModel":{},"From":"a@acme.example","To":"x@one.example","Bcc":"b@evil.example"}"""));
        Assert.Equal("postmark.email.with_template", t.Endpoint);
        Assert.Equal("b@evil.example", Api.Hidden(Assert.Single(t.Messages)));

        var bt = Api.Run(Api.Json(Host, "/email/batchWithTemplates",
            """{"Messages":[{"TemplateAlias":"w","From":"a@acme.example","To":"x@one.example"},{"TemplateAlias":"w","From":"a@acme.example","To":"y@two.example","Cc":"c@two.example"}]}"""));
        Assert.Equal("postmark.email.batch_with_templates", bt.Endpoint);
        Assert.Equal(2, bt.Messages.Count);
        Assert.Equal("c@two.example", Api.A(bt.Messages[1].Cc));

        var bulk = Api.Run(Api.Json(Host, "/email/bulk",
            """{"From":"news@acme.example","ReplyTo":"r@acme.example","Subject":"S","HtmlBody":"x","MessageStream":"broadcast","Messages":[{"To":"x@one.example"},{"To":"y@two.example","Bcc":"h@evil.example"}]}"""));
        Assert.Equal("postmark.email.bulk", bulk.Endpoint);
        Assert.Equal(2, bulk.Messages.Count);
        Assert.All(bulk.Messages, m => Assert.Equal("news@acme.example", Api.A(m.From)));
        Assert.All(bulk.Messages, m => Assert.Equal("r@acme.example", Api.A(m.ReplyTo)));
        Assert.Equal("h@evil.example", Api.Hidden(bulk.Messages[1]));
        Assert.Equal("S", bulk.Messages[0].Subject);
    }

    [Fact]
    public void NonSendCall_IsNotASend()
    {
        var r = Api.Run(Api.Request(Host, "GET", "/server", null, []));
        Assert.False(r.IsSendCall);
        Assert.Null(r.Unknown);
        Assert.Empty(r.Messages);
        Assert.Equal("postmark.other", r.Endpoint);
        var b = Api.Run(Api.Request(Host, "GET", "/bounces?count=10", null, []));
        Assert.False(b.IsSendCall);
    }

    [Fact]
    public void UnknownHost_GivesNull()
    {
        var x = new MailApiExtractor(MailApiOptions.Default, new MailApiAnomalySink());
        Assert.Null(x.Extract(Api.Json("api.example.com", "/email", "{}"), null));
        Assert.Null(x.Extract(Api.Json("email-smtp.us-east-1.amazonaws.com", "/", "{}"), null));
    }

    [Fact]
    public void HostFromSni_PortAndCaseStripped()
    {
        var req = Api.Json("10.0.0.1:443", "/email", """{"From":"a@acme.example","To":"x@one.example"}""");
        var r = Api.Run(req, sni: "API.PostmarkApp.com.");
        Assert.Equal("postmark", r.Provider);
        Assert.Single(r.Messages);
        var viaHost = Api.Run(Api.Json("API.POSTMARKAPP.COM:443", "/email", """{"From":"a@acme.example","To":"x@one.example"}"""));
        Assert.Equal("https://api.postmarkapp.com/email", viaHost.Messages[0].Http?.Url);
    }

    [Theory]
    [InlineData("{\"From\":", "unparseable_json")]
    [InlineData("[1,2", "unparseable_json")]
    [InlineData("{\"Hello\":\"world\"}", "unknown_send_shape")]
    [InlineData("\"just a string\"", "unknown_send_shape")]
    [InlineData("{\"To\":42,\"Bcc\":{\"x\":1}}", "unknown_send_shape")]
    public void BadBodies_GiveUnknown(string body, string reason)
    {
        var an = new MailApiAnomalySink();
        var r = Api.Run(Api.Json(Host, "/email", body), an);
        Assert.True(r.IsSendCall);
        Assert.Empty(r.Messages);
        Assert.Equal(reason, r.Unknown);
        Assert.True(an.Has(reason));
    }

    [Fact]
    public void TooDeepJson_IsUnparseable()
    {
        var body = new string('[', 100) + new string(']', 100);
        var r = Api.Run(Api.Json(Host, "/email/batch", body));
        Assert.Equal("unparseable_json", r.Unknown);
    }

    [Fact]
    public void TruncatedBody_IsReported()
    {
        var req = Api.Json(Host, "/email", """{"From":"a@acme.example","To":"x@""");
        req.BodyTruncated = true;
        var r = Api.Run(req);
        Assert.Equal("body_truncated", r.Unknown);
        Assert.Empty(r.Messages);
    }

    [Fact]
    public void BatchOverLimit_IsCut()
    {
        var an = new MailApiAnomalySink();
        var body = "[" + string.Join(",", Enumerable.Range(0, 5).Select(i => $"{{\"From\":\"a@acme.example\",\"To\":\"u{i}@x.example\"}}")) + "]";
        var r = Api.Run(Api.Json(Host, "/email/batch", body), an, new MailApiOptions { MaxMessagesPerRequest = 3 });
        Assert.Equal(3, r.Messages.Count);
        Assert.True(an.Has("too_many_messages"));
    }

    [Fact]
    public void RecipientsOverLimit_AreCut()
    {
        var an = new MailApiAnomalySink();
        var to = string.Join(",", Enumerable.Range(0, 50).Select(i => $"u{i}@x.example"));
        var r = Api.Run(Api.Json(Host, "/email", $"{{\"From\":\"a@acme.example\",\"To\":\"{to}\"}}"), an,
            new MailApiOptions { MaxRecipientsPerMessage = 10 });
        var m = Assert.Single(r.Messages);
        Assert.Equal(9, m.To.Count); // From takes one slot
        Assert.True(an.Has("too_many_recipients"));
    }
}
