namespace McpEgress.Tests.MailApis;

public class SesPayloadTests
{
    [Theory]
    [InlineData("email.us-east-1.amazonaws.com")]
    [InlineData("email-fips.us-gov-west-1.amazonaws.com")]
    [InlineData("email.eu-west-1.api.aws")]
    [InlineData("email.cn-north-1.amazonaws.com.cn")]
    [InlineData("abc123.endpoints.email.amazonaws.com")]
    public void V2_Simple(string host)
    {
        var r = Api.Run(Api.Json(host, "/v2/email/outbound-emails", """
            {"FromEmailAddress":"App <app@acme.example>","Destination":{"ToAddresses":["a@one.example"],"CcAddresses":["c@one.example"],
             "BccAddresses":["spy@evil.example"]},"ReplyToAddresses":["r@acme.example"],
             "Content":{"Simple":{"Subject":{"Data":"Hi","Charset":"UTF-8"},"Body":{"Text":{"Data":"x"}}}}}
            """, ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/x, Signature=deadbeefsig"), ("X-Amz-Security-Token", "sessiontok")));
        Assert.Equal("ses", r.Provider);
        Assert.Equal("ses.v2.send_email", r.Endpoint);
        var m = Assert.Single(r.Messages);
        Assert.Equal("app@acme.example", Api.A(m.From));
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("c@one.example", Api.A(m.Cc));
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(m));
        Assert.Equal("r@acme.example", Api.A(m.ReplyTo));
        Assert.Equal("Hi", m.Subject);
        Assert.DoesNotContain(Api.Strings(m), s => s.Contains("deadbeefsig") || s.Contains("sessiontok"));
    }

    [Fact]
    public void V2_Raw_NodemailerStyle_EnvelopeInToAddresses()
    {
        // nodemailer's SES transport: every envelope recipient in ToAddresses, Bcc header stripped from the MIME.
        const string mime = "From: app@acme.example\r\nTo: a@one.example\r\nCc: c@one.example\r\nSubject: Raw hi\r\nMessage-ID: <1@acme.example>\r\n\r\nbody";
        var r = Api.Run(Api.Json("email.us-east-1.amazonaws.com", "/v2/email/outbound-emails",
            $$$$"""{"Destination":{"ToAddresses":["a@one.example","c@one.example","spy@evil.example"]},"Content":{"Raw":{"Data":"{{{{Api.B64(mime)}}}}"}}}"""));
        var m = Assert.Single(r.Messages);
        Assert.Equal("app@acme.example", Api.A(m.From));
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("c@one.example", Api.A(m.Cc));
        Assert.Empty(m.Bcc);
        Assert.Equal("a@one.example,c@one.example,spy@evil.example", Api.A(m.ApiEnvelope));
        Assert.Equal("spy@evil.example:env", Api.HiddenReasons(m));
        Assert.Equal("Raw hi", m.Subject);
        Assert.Equal("<1@acme.example>", m.MessageId);
    }

    [Fact]
    public void V2_Raw_NoDestination_BccHeader()
    {
        const string mime = "From: app@acme.example\r\nTo: a@one.example\r\nBcc: spy@evil.example\r\n\r\nbody";
        var r = Api.Run(Api.Json("email.us-east-1.amazonaws.com", "/v2/email/outbound-emails",
            $$$$"""{"FromEmailAddress":"app@acme.example","Content":{"Raw":{"Data":"{{{{Api.B64(mime)}}}}"}}}"""));
        var m = Assert.Single(r.Messages);
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(m));
        Assert.Equal("app@acme.example", Api.A(m.From));
    }

    [Fact]
    public void V2_Raw_BadBase64()
    {
        var an = new MailApiAnomalySink();
        var r = Api.Run(Api.Json("email.us-east-1.amazonaws.com", "/v2/email/outbound-emails",
            """{"Destination":{"ToAddresses":["a@one.example"]},"Content":{"Raw":{"Data":"!!!not base64***"}}}"""), an);
        Assert.Equal("bad_base64_raw", r.Unknown);
        Assert.True(an.Has("bad_base64_raw"));
        // The envelope is still what SES delivers to; with no visible headers it is all hidden.
        Assert.Equal("a@one.example:env", Api.HiddenReasons(Assert.Single(r.Messages)));
    }

    [Fact]
    public void V2_Bulk()
    {
        var r = Api.Run(Api.Json("email.us-east-1.amazonaws.com", "/v2/email/outbound-bulk-emails", """
            {"FromEmailAddress":"app@acme.example","ReplyToAddresses":["r@acme.example"],"DefaultContent":{"Template":{"TemplateName":"t"}},
             "BulkEmailEntries":[{"Destination":{"ToAddresses":["a@one.example"]}},
                                 {"Destination":{"ToAddresses":["b@two.example"],"BccAddresses":["spy@evil.example"]}}]}
            """));
        Assert.Equal("ses.v2.send_bulk_email", r.Endpoint);
        Assert.Equal(2, r.Messages.Count);
        Assert.Empty(r.Messages[0].Hidden);
        Assert.Equal("spy@evil.example", Api.Hidden(r.Messages[1]));
        Assert.All(r.Messages, m => Assert.Equal("app@acme.example", Api.A(m.From)));
    }

    [Fact]
    public void V1_SendEmail()
    {
        var r = Api.Run(Api.Form("email.us-east-1.amazonaws.com", "/",
            "Action=SendEmail&Version=2010-12-01&Source=app%40acme.example"
            + "&Destination.ToAddresses.member.1=a%40one.example&Destination.ToAddresses.member.2=B%20%3Cb%40two.example%3E"
            + "&Destination.CcAddresses.member.1=c%40one.example&Destination.BccAddresses.member.1=spy%40evil.example"
            + "&ReplyToAddresses.member.1=r%40acme.example&Message.Subject.Data=Hello%20v1&Message.Body.Text.Data=x"));
        Assert.Equal("ses.v1.send_email", r.Endpoint);
        var m = Assert.Single(r.Messages);
        Assert.Equal("app@acme.example", Api.A(m.From));
        Assert.Equal("a@one.example,b@two.example", Api.A(m.To));
        Assert.Equal("c@one.example", Api.A(m.Cc));
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(m));
        Assert.Equal("r@acme.example", Api.A(m.ReplyTo));
        Assert.Equal("Hello v1", m.Subject);
    }

    [Fact]
    public void V1_SendTemplatedEmail()
    {
        var r = Api.Run(Api.Form("email.us-east-1.amazonaws.com", "/",
            "Action=SendTemplatedEmail&Source=app%40acme.example&Template=t&TemplateData=%7B%7D"
            + "&Destination.ToAddresses.member.1=a%40one.example&Destination.BccAddresses.member.1=spy%40evil.example"));
        Assert.Equal("ses.v1.send_templated_email", r.Endpoint);
        Assert.Equal("spy@evil.example", Api.Hidden(Assert.Single(r.Messages)));
    }

    [Fact]
    public void V1_SendRawEmail_DestinationsAreEnvelope()
    {
        const string mime = "From: app@acme.example\nTo: a@one.example\nSubject: r\n\nbody";
        var r = Api.Run(Api.Form("email.us-east-1.amazonaws.com", "/",
            "Action=SendRawEmail&Version=2010-12-01&RawMessage.Data=" + Uri.EscapeDataString(Api.B64(mime))
            + "&Destinations.member.1=a%40one.example&Destinations.member.2=spy%40evil.example"));
        Assert.Equal("ses.v1.send_raw_email", r.Endpoint);
        var m = Assert.Single(r.Messages);
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("spy@evil.example:env", Api.HiddenReasons(m));
    }

    [Fact]
    public void V1_SendBulkTemplatedEmail()
    {
        var r = Api.Run(Api.Form("email.us-east-1.amazonaws.com", "/",
            "Action=SendBulkTemplatedEmail&Source=app%40acme.example&Template=t&DefaultTemplateData=%7B%7D"
            + "&Destinations.member.2.Destination.ToAddresses.member.1=b%40two.example"
            + "&Destinations.member.1.Destination.ToAddresses.member.1=a%40one.example"
            + "&Destinations.member.2.Destination.BccAddresses.member.1=spy%40evil.example"
            + "&Destinations.member.1.Destination.CcAddresses.member.1=c%40one.example"));
        Assert.Equal(2, r.Messages.Count);
        Assert.Equal("a@one.example", Api.A(r.Messages[0].To));
        Assert.Equal("c@one.example", Api.A(r.Messages[0].Cc));
        Assert.Equal("b@two.example", Api.A(r.Messages[1].To));
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(r.Messages[1]));
    }

    [Fact]
    public void V1_OtherAction_IsNotASend()
    {
        var r = Api.Run(Api.Form("email.us-east-1.amazonaws.com", "/", "Action=GetSendQuota&Version=2010-12-01"));
        Assert.False(r.IsSendCall);
        Assert.Null(r.Unknown);
        var v2 = Api.Run(Api.Request("email.us-east-1.amazonaws.com", "GET", "/v2/email/account", null, []));
        Assert.False(v2.IsSendCall);
    }
}
