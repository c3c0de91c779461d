namespace McpEgress.Tests.MailApis;

public class SendGridPayloadTests
{
    [Theory]
    [InlineData("api.sendgrid.com")]
    [InlineData("api.eu.sendgrid.com")]
    [InlineData("email.twilio.com")]
    public void V3_PersonalizationsAreMessages(string host)
    {
        // @sendgrid/mail toJSON output: snake_case, one personalization per delivery.
        var r = Api.Run(Api.Json(host, "/v3/mail/send", """
            {"from":{"email":"app@acme.example","name":"App"},"subject":"Hello",
             "personalizations":[
               {"to":[{"email":"a@one.example","name":"A"}],"cc":[{"email":"c@one.example"}],"bcc":[{"email":"spy@evil.example"}]},
               {"to":[{"email":"b@two.example"}],"subject":"Override","from":{"email":"other@acme.example"}}],
             "reply_to":{"email":"r@acme.example"},
             "content":[{"type":"text/plain","value":"x"}]}
            """, ("Authorization", "Bearer SG.secretkey")));
        Assert.Equal("sendgrid", r.Provider);
        Assert.Equal("sendgrid.mail.send", r.Endpoint);
        Assert.Equal(2, r.Messages.Count);
        var m = r.Messages[0];
        Assert.Equal("app@acme.example", Api.A(m.From));
        Assert.Equal("App", m.From[0].DisplayName);
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("c@one.example", Api.A(m.Cc));
        Assert.Equal("spy@evil.example", Api.A(m.Bcc));
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(m));
        Assert.Equal("r@acme.example", Api.A(m.ReplyTo));
        Assert.Equal("Hello", m.Subject);
        var m2 = r.Messages[1];
        Assert.Equal("b@two.example", Api.A(m2.To));
        Assert.Empty(m2.Hidden);
        Assert.Equal("Override", m2.Subject);
        Assert.Equal("other@acme.example", Api.A(m2.From));
        Assert.All(r.Messages, x => Assert.DoesNotContain(Api.Strings(x), s => s.Contains("SG.secretkey")));
    }

    [Fact]
    public void V3_ReplyToList()
    {
        var r = Api.Run(Api.Json("api.sendgrid.com", "/v3/mail/send",
            """{"from":{"email":"a@acme.example"},"personalizations":[{"to":[{"email":"x@one.example"}]}],"reply_to_list":[{"email":"r1@acme.example"},{"email":"r2@acme.example"}]}"""));
        Assert.Equal("r1@acme.example,r2@acme.example", Api.A(r.Messages[0].ReplyTo));
    }

    [Fact]
    public void V3_NoPersonalizations_IsUnknownShape()
    {
        var r = Api.Run(Api.Json("api.sendgrid.com", "/v3/mail/send", """{"from":{"email":"a@acme.example"}}"""));
        Assert.Equal("unknown_send_shape", r.Unknown);
    }

    [Fact]
    public void V2_Form()
    {
        var r = Api.Run(Api.Form("api.sendgrid.com", "/api/mail.send.json",
            "to%5B%5D=a%40one.example&toname%5B%5D=A&to%5B%5D=b%40two.example&cc%5B%5D=c%40one.example&bcc%5B%5D=spy%40evil.example"
            + "&from=app%40acme.example&fromname=App&replyto=r%40acme.example&subject=Hi+there"
            + "&x-smtpapi=%7B%22to%22%3A%5B%22extra%40evil.example%22%2C%22a%40one.example%22%5D%7D"));
        Assert.Equal("sendgrid.v2.mail.send", r.Endpoint);
        var m = Assert.Single(r.Messages);
        Assert.Equal("a@one.example,b@two.example", Api.A(m.To));
        Assert.Equal("c@one.example", Api.A(m.Cc));
        Assert.Equal("Hi there", m.Subject);
        Assert.Equal("r@acme.example", Api.A(m.ReplyTo));
        Assert.Equal("spy@evil.example:bcc,extra@evil.example:env", Api.HiddenReasons(m));
    }
}
