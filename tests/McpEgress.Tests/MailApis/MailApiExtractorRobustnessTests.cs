using System.Text;
using McpEgress.Decode;
using McpEgress.Protocols.Http;
using McpEgress.Protocols.MailApis;

namespace McpEgress.Tests.MailApis;

public class MailApiExtractorRobustnessTests
{
    private const string Secret = "SECRETVALUE987";

    /// <summary>One valid send per provider, each carrying the same secret where that provider's credential goes.</summary>
    private static IEnumerable<HttpRequestRecord> Samples()
    {
        yield return Api.Json("api.postmarkapp.com", "/email", """{"From":"a@acme.example","To":"x@one.example","Bcc":"phan@giftshop.club"}""", ("X-Postmark-Server-Token", Secret));
        yield return Api.Json("api.sendgrid.com", "/v3/mail/send", """{"from":{"email":"a@acme.example"},"personalizations":[{"to":[{"email":"x@one.example"}],"bcc":[{"email":"s@evil.example"}]}]}""", ("Authorization", "Bearer " + Secret));
        yield return Api.Form("api.mailgun.net", "/v3/d/messages", "from=a%40acme.example&to=x%40one.example&bcc=s%40evil.example");
        yield return Api.Json("email.us-east-1.amazonaws.com", "/v2/email/outbound-emails", """{"FromEmailAddress":"a@acme.example","Destination":{"ToAddresses":["x@one.example"],"BccAddresses":["s@evil.example"]}}""", ("X-Amz-Security-Token", Secret));
        yield return Api.Json("api.resend.com", "/emails", """{"from":"a@acme.example","to":"x@one.example","bcc":["s@evil.example"]}""", ("Authorization", "Bearer " + Secret));
        yield return Api.Json("api.mailjet.com", "/v3.1/send", """{"Messages":[{"From":{"Email":"a@acme.example"},"To":[{"Email":"x@one.example"}],"Bcc":[{"Email":"s@evil.example"}]}]}""");
        yield return Api.Json("api.brevo.com", "/v3/smtp/email", """{"sender":{"email":"a@acme.example"},"to":[{"email":"x@one.example"}],"bcc":[{"email":"s@evil.example"}]}""", ("api-key", Secret));
        yield return Api.Json("mandrillapp.com", "/api/1.3/messages/send", $$$"""{"key":"{{{Secret}}}","message":{"from_email":"a@acme.example","to":[{"email":"x@one.example"},{"email":"s@evil.example","type":"bcc"}]}}""");
        yield return Api.Json("api.sparkpost.com", "/api/v1/transmissions", """{"recipients":[{"address":"x@one.example"},{"address":{"email":"s@evil.example","header_to":"x@one.example"}}],"content":{"from":"a@acme.example"}}""", ("Authorization", Secret));
        yield return Api.Json("api.mailersend.com", "/v1/email", """{"from":{"email":"a@acme.example"},"to":[{"email":"x@one.example"}],"bcc":[{"email":"s@evil.example"}]}""");
        yield return Api.Json("graph.microsoft.com", "/v1.0/me/sendMail", """{"message":{"toRecipients":[{"emailAddress":{"address":"x@one.example"}}],"bccRecipients":[{"emailAddress":{"address":"s@evil.example"}}]}}""");
        yield return Api.Json("gmail.googleapis.com", "/gmail/v1/users/me/messages/send?key=" + Secret + "&access_token=" + Secret,
            $$"""{"raw":"{{Api.B64Url("From: a@acme.example\r\nTo: x@one.example\r\nBcc: s@evil.example\r\n\r\nx")}}"}""");
    }

    [Fact]
    public void EveryProvider_HiddenFound_NoCredentialInMessages()
    {
        var providers = new HashSet<string>();
        foreach (var req in Samples())
        {
            var r = Api.Run(req);
            Assert.True(r.IsSendCall, req.ToString());
            Assert.Null(r.Unknown);
            var m = Assert.Single(r.Messages);
            var hidden = Assert.Single(m.Hidden);
            Assert.Contains(hidden.Address.Address, new[] { "phan@giftshop.club", "s@evil.example" });
            Assert.DoesNotContain(Api.Strings(m), s => s.Contains(Secret));
            Assert.Equal(r.Provider, m.Provider);
            providers.Add(r.Provider);
        }
        Assert.Equal(12, providers.Count);
    }

    [Fact]
    public void Context_IsCopiedIntoMessages()
    {
        var ctx = new MailApiRequestContext(new Endpoint(IpAddress16.FromV4([10, 0, 0, 1]), 50000),
            new Endpoint(IpAddress16.FromV4([10, 0, 0, 2]), 443), 42, "api.postmarkapp.com");
        var x = new MailApiExtractor(MailApiOptions.Default, new MailApiAnomalySink());
        var r = x.Extract(Samples().First(), "api.postmarkapp.com", ctx)!;
        var m = Assert.Single(r.Messages);
        Assert.Equal(42, m.FlowId);
        Assert.Equal(ctx.Source, m.Source);
        Assert.Equal(ctx.Destination, m.Destination);
        Assert.Equal("api.postmarkapp.com", m.ServerName);
    }

    [Fact]
    public void Mutations_NeverThrow()
    {
        var rng = new Random(12345);
        var x = new MailApiExtractor(MailApiOptions.Default, new MailApiAnomalySink());
        foreach (var req in Samples())
        {
            var body = req.Body.ToArray();
            for (int round = 0; round < 150; round++)
            {
                var b = (byte[])body.Clone();
                int kind = round % 3;
                if (kind == 0 && b.Length > 0) b[rng.Next(b.Length)] = (byte)rng.Next(256);
                else if (kind == 1) b = b[..rng.Next(b.Length + 1)];
                else if (b.Length > 0) { int i = rng.Next(b.Length); b = [.. b[..i], (byte)"{}[]\",:\\"[rng.Next(8)], .. b[i..]]; }
                var m = Api.Request(req.Authority!, req.Method, req.Target, req.ContentType, b);
                var r = x.Extract(m, null);
                Assert.NotNull(r);
                Assert.NotEqual("extractor_error", r!.Unknown);
            }
        }
    }

    [Fact]
    public void ContentTypesAndOddTypes_NeverThrow()
    {
        var x = new MailApiExtractor(MailApiOptions.Default, new MailApiAnomalySink());
        foreach (var req in Samples())
            foreach (var ct in new[] { null, "text/plain", "multipart/form-data; boundary=zz", "application/x-www-form-urlencoded", "message/rfc822", "multipart/related" })
            {
                var r = x.Extract(Api.Request(req.Authority!, "POST", req.Target, ct, req.Body.ToArray()), null);
                Assert.NotNull(r);
                Assert.NotEqual("extractor_error", r!.Unknown);
            }
        foreach (var body in new[] { "null", "true", "1e999", "[[[]]]", "{\"From\":[1,{},null,[\"a@b\"]],\"To\":{\"email\":5}}", "\"\\ud800\"", "{\"From\":\"a@b\",\"To\":\"\\ud800@x\",\"Bcc\":[\"\\udc00\"]}" })
        {
            var r = x.Extract(Api.Json("api.postmarkapp.com", "/email", body), null);
            Assert.NotNull(r);
            Assert.NotEqual("extractor_error", r!.Unknown);
        }
    }

    [Fact]
    public void InvalidUtf8InJson_IsReplacedNotThrown()
    {
        var an = new MailApiAnomalySink();
        var body = Encoding.UTF8.GetBytes("{\"From\":\"a@acme.example\",\"To\":\"x@one.example\",\"Subject\":\"S\u00e9\",\"Bcc\":\"s@evil.example\"}");
        int i = Array.IndexOf(body, (byte)0xC3);
        body[i] = 0x9D; // a lone continuation byte
        var r = Api.Run(Api.Request("api.postmarkapp.com", "POST", "/email", "application/json", body), an);
        var m = Assert.Single(r.Messages);
        Assert.Equal("s@evil.example", Api.Hidden(m));
        Assert.Equal("S\uFFFD\uFFFD", m.Subject);
        Assert.True(an.Has("invalid_utf8"));
    }
}
