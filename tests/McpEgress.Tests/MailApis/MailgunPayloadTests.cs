using System.Text;

namespace McpEgress.Tests.MailApis;

public class MailgunPayloadTests
{
    private const string Boundary = "--------------------------367617185376358924813421";

    /// <summary>form-data 4.x layout: "--boundary\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue\r\n" ... "--boundary--\r\n".</summary>
    private static byte[] FormData(params (string Name, string Value, string? FileName)[] fields)
    {
        var sb = new StringBuilder();
        foreach (var (n, v, f) in fields)
        {
            sb.Append("--").Append(Boundary).Append("\r\n");
            sb.Append("Content-Disposition: form-data; name=\"").Append(n).Append('"');
            if (f is not null) sb.Append("; filename=\"").Append(f).Append("\"\r\nContent-Type: application/octet-stream");
            sb.Append("\r\n\r\n").Append(v).Append("\r\n");
        }
        sb.Append("--").Append(Boundary).Append("--\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    [Fact]
    public void Messages_MultipartWithRepeatedTo()
    {
        var body = FormData(("from", "App <app@mg.acme.example>", null), ("to", "a@one.example", null),
            ("to", "B <b@two.example>, c@three.example", null), ("cc", "cc@one.example", null),
            ("bcc", "spy@evil.example", null), ("subject", "Hello", null), ("h:Reply-To", "r@acme.example", null),
            ("text", "body\r\n--not-a-boundary", null));
        var r = Api.Run(Api.Request("api.mailgun.net", "POST", "/v3/mg.acme.example/messages",
            "multipart/form-data; boundary=" + Boundary, body, ("Authorization", "Basic YXBpOmtleS1zZWNyZXQ=")));
        Assert.Equal("mailgun", r.Provider);
        Assert.Equal("mailgun.messages", r.Endpoint);
        Assert.Null(r.Unknown);
        var m = Assert.Single(r.Messages);
        Assert.Equal("app@mg.acme.example", Api.A(m.From));
        Assert.Equal("a@one.example,b@two.example,c@three.example", Api.A(m.To));
        Assert.Equal("cc@one.example", Api.A(m.Cc));
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(m));
        Assert.Equal("r@acme.example", Api.A(m.ReplyTo));
        Assert.Equal("Hello", m.Subject);
        Assert.DoesNotContain(Api.Strings(m), s => s.Contains("YXBpOmtleS1zZWNyZXQ="));
    }

    [Fact]
    public void Messages_UrlEncoded_EuHost()
    {
        var r = Api.Run(Api.Form("api.eu.mailgun.net", "/v3/mg.acme.example/messages",
            "from=app%40acme.example&to=a%40one.example&to=b%40two.example&bcc=spy%40evil.example&subject=Hi"));
        var m = Assert.Single(r.Messages);
        Assert.Equal("a@one.example,b@two.example", Api.A(m.To));
        Assert.Equal("spy@evil.example", Api.Hidden(m));
    }

    [Fact]
    public void MessagesMime_EnvelopeBeyondHeadersIsHidden()
    {
        const string mime = "From: app@acme.example\r\nTo: a@one.example\r\nCc: c@one.example\r\nSubject: Raw\r\n\r\nbody\r\n";
        var body = FormData(("to", "a@one.example", null), ("to", "c@one.example,spy@evil.example", null),
            ("message", mime, "MimeMessage"));
        var r = Api.Run(Api.Request("storage-us-east4.api.mailgun.net", "POST", "/v3/mg.acme.example/messages.mime",
            "multipart/form-data; boundary=" + Boundary, body));
        Assert.Equal("mailgun.messages.mime", r.Endpoint);
        var m = Assert.Single(r.Messages);
        Assert.Equal("app@acme.example", Api.A(m.From));
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("c@one.example", Api.A(m.Cc));
        Assert.Equal("a@one.example,c@one.example,spy@evil.example", Api.A(m.ApiEnvelope));
        Assert.Equal("spy@evil.example:env", Api.HiddenReasons(m));
        Assert.Equal("Raw", m.Subject);
    }

    [Fact]
    public void MessagesMime_BccHeaderInMime()
    {
        const string mime = "From: app@acme.example\r\nTo: a@one.example\r\nBcc: spy@evil.example\r\n\r\nx";
        var r = Api.Run(Api.Form("api.mailgun.net", "/v3/mg.acme.example/messages.mime",
            "to=a%40one.example&message=" + Uri.EscapeDataString(mime)));
        var m = Assert.Single(r.Messages);
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(m));
    }

    [Fact]
    public void ResendStored()
    {
        var r = Api.Run(Api.Form("api.mailgun.net", "/v3/domains/mg.acme.example/messages/AgEFAkey", "to=x%40one.example"));
        Assert.Equal("mailgun.messages.resend", r.Endpoint);
        Assert.Equal("x@one.example", Api.A(Assert.Single(r.Messages).To));
    }

    [Fact]
    public void MalformedMultipart_NeverThrows()
    {
        var an = new MailApiAnomalySink();
        var full = FormData(("from", "a@acme.example", null), ("to", "x@one.example", null), ("bcc", "spy@evil.example", null));
        // Every prefix of the body: no exception, and a cut body never invents recipients.
        for (int i = 0; i <= full.Length; i++)
        {
            var r = Api.Run(Api.Request("api.mailgun.net", "POST", "/v3/d/messages", "multipart/form-data; boundary=" + Boundary,
                full[..i]), an);
            Assert.True(r.IsSendCall);
            foreach (var m in r.Messages)
                Assert.All(m.To, a => Assert.Equal("x@one.example", a.Address));
            if (i < full.Length - 2) Assert.NotNull(r.Unknown);
        }
        Assert.True(an.Has("multipart_malformed"));
        var noBoundary = Api.Run(Api.Request("api.mailgun.net", "POST", "/v3/d/messages", "multipart/form-data", full));
        Assert.Equal("multipart_malformed", noBoundary.Unknown);
    }

    [Fact]
    public void NonSend_DomainsList()
    {
        var r = Api.Run(Api.Request("api.mailgun.net", "GET", "/v4/domains", null, []));
        Assert.False(r.IsSendCall);
        Assert.Null(r.Unknown);
    }
}
