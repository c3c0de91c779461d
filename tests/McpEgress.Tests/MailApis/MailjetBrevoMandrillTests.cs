namespace McpEgress.Tests.MailApis;

public class MailjetBrevoMandrillTests
{
    [Fact]
    public void Mailjet_V31_GlobalsBccMergedIntoEveryMessage()
    {
        var r = Api.Run(Api.Json("api.mailjet.com", "/v3.1/send", """
            {"Globals":{"From":{"Email":"app@acme.example","Name":"App"},"Bcc":[{"Email":"spy@evil.example"}],"Subject":"G"},
             "Messages":[{"To":[{"Email":"a@one.example","Name":"A"}],"Cc":[{"Email":"c@one.example"}]},
                         {"From":{"Email":"other@acme.example"},"To":[{"Email":"b@two.example"}],"Bcc":[{"Email":"audit@acme.example"}],"Subject":"Own","ReplyTo":{"Email":"r@acme.example"}}],
             "SandboxMode":false}
            """, ("Authorization", "Basic bWpTZWNyZXQ6eA==")));
        Assert.Equal("mailjet.v3_1.send", r.Endpoint);
        Assert.Equal(2, r.Messages.Count);
        var m = r.Messages[0];
        Assert.Equal("app@acme.example", Api.A(m.From));
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("c@one.example", Api.A(m.Cc));
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(m));
        Assert.Equal("G", m.Subject);
        var m2 = r.Messages[1];
        Assert.Equal("other@acme.example", Api.A(m2.From));
        Assert.Equal("audit@acme.example,spy@evil.example", Api.Hidden(m2));
        Assert.Equal("Own", m2.Subject);
        Assert.Equal("r@acme.example", Api.A(m2.ReplyTo));
    }

    [Theory]
    [InlineData("api.mailjet.com")]
    [InlineData("api.us.mailjet.com")]
    public void Mailjet_V3(string host)
    {
        var r = Api.Run(Api.Json(host, "/v3/send", """
            {"FromEmail":"app@acme.example","FromName":"App","Subject":"v3","Text-part":"x",
             "Recipients":[{"Email":"a@one.example","Name":"A"}],"Cc":"c@one.example","Bcc":"X <spy@evil.example>, h2@evil.example",
             "Headers":{"Reply-To":"r@acme.example"}}
            """));
        Assert.Equal("mailjet.v3.send", r.Endpoint);
        var m = Assert.Single(r.Messages);
        Assert.Equal("app@acme.example", Api.A(m.From));
        Assert.Equal("App", m.From[0].DisplayName);
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("c@one.example", Api.A(m.Cc));
        Assert.Equal("spy@evil.example,h2@evil.example", Api.Hidden(m));
        Assert.Equal("r@acme.example", Api.A(m.ReplyTo));
    }

    [Fact]
    public void Brevo_Simple()
    {
        var r = Api.Run(Api.Json("api.brevo.com", "/v3/smtp/email", """
            {"sender":{"email":"app@acme.example","name":"App"},"to":[{"email":"a@one.example","name":"A"}],
             "cc":[{"email":"c@one.example"}],"bcc":[{"email":"spy@evil.example"}],"replyTo":{"email":"r@acme.example"},
             "subject":"S","htmlContent":"<p>x</p>"}
            """, ("api-key", "xkeysib-secret")));
        Assert.Equal("brevo.smtp.email", r.Endpoint);
        var m = Assert.Single(r.Messages);
        Assert.Equal("app@acme.example", Api.A(m.From));
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("c@one.example", Api.A(m.Cc));
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(m));
        Assert.Equal("r@acme.example", Api.A(m.ReplyTo));
        Assert.DoesNotContain(Api.Strings(m), s => s.Contains("xkeysib-secret"));
    }

    [Fact]
    public void Brevo_MessageVersions_TopLevelToIgnored()
    {
        var r = Api.Run(Api.Json("api.sendinblue.com", "/v3/smtp/email", """
            {"sender":{"email":"app@acme.example"},"to":[{"email":"ignored@one.example"}],"subject":"S","templateId":3,
             "messageVersions":[{"to":[{"email":"a@one.example"}]},
                                {"to":[{"email":"b@two.example"}],"bcc":[{"email":"spy@evil.example"}],"subject":"V2"}]}
            """));
        Assert.Equal(2, r.Messages.Count);
        Assert.Equal("a@one.example", Api.A(r.Messages[0].To));
        Assert.Empty(r.Messages[0].Hidden);
        Assert.Equal("S", r.Messages[0].Subject);
        Assert.Equal("b@two.example", Api.A(r.Messages[1].To));
        Assert.Equal("spy@evil.example", Api.Hidden(r.Messages[1]));
        Assert.Equal("V2", r.Messages[1].Subject);
    }

    [Fact]
    public void Brevo_SendTest()
    {
        var r = Api.Run(Api.Json("api.brevo.com", "/v3/smtp/templates/12/sendTest", """{"emailTo":["t@one.example","u@two.example"]}"""));
        Assert.Equal("brevo.smtp.template.send_test", r.Endpoint);
        Assert.Equal("t@one.example,u@two.example", Api.A(Assert.Single(r.Messages).To));
        var none = Api.Run(Api.Json("api.brevo.com", "/v3/smtp/templates/12/sendTest", "{}"));
        Assert.Equal("no_recipients_template_draft", none.Unknown);
    }

    [Theory]
    [InlineData("/api/1.3/messages/send")]
    [InlineData("/api/1.0/messages/send.json")]
    public void Mandrill_Send_ToTypesAndBccAddress(string path)
    {
        var r = Api.Run(Api.Json("mandrillapp.com", path, """
            {"key":"md-SECRETKEY123","message":{"from_email":"app@acme.example","from_name":"App","subject":"M",
             "to":[{"email":"a@one.example","name":"A"},{"email":"c@one.example","type":"cc"},{"email":"hidden@evil.example","type":"bcc"}],
             "bcc_address":"spy@evil.example","headers":{"Reply-To":"r@acme.example"},"preserve_recipients":true}}
            """));
        Assert.Equal("mandrill.messages.send", r.Endpoint);
        var m = Assert.Single(r.Messages);
        Assert.Equal("app@acme.example", Api.A(m.From));
        Assert.Equal("App", m.From[0].DisplayName);
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("c@one.example", Api.A(m.Cc));
        Assert.Equal("hidden@evil.example,spy@evil.example", Api.A(m.Bcc));
        Assert.Equal("hidden@evil.example:bcc,spy@evil.example:bcc", Api.HiddenReasons(m));
        Assert.Equal("r@acme.example", Api.A(m.ReplyTo));
        Assert.DoesNotContain(Api.Strings(m), s => s.Contains("md-SECRETKEY123"));
    }

    [Fact]
    public void Mandrill_SendTemplate()
    {
        var r = Api.Run(Api.Json("mandrillapp.com", "/api/1.3/messages/send-template", """
            {"key":"md-SECRETKEY123","template_name":"t","template_content":[],
             "message":{"from_email":"app@acme.example","to":[{"email":"a@one.example"},{"email":"spy@evil.example","type":"bcc"}]}}
            """));
        Assert.Equal("mandrill.messages.send_template", r.Endpoint);
        Assert.Equal("spy@evil.example", Api.Hidden(Assert.Single(r.Messages)));
    }

    [Fact]
    public void Mandrill_SendRaw_EnvelopeTo()
    {
        var r = Api.Run(Api.Json("mandrillapp.com", "/api/1.3/messages/send-raw", """
            {"key":"md-SECRETKEY123","raw_message":"From: app@acme.example\r\nTo: a@one.example\r\nSubject: raw\r\n\r\nbody",
             "to":["a@one.example","spy@evil.example"]}
            """));
        Assert.Equal("mandrill.messages.send_raw", r.Endpoint);
        var m = Assert.Single(r.Messages);
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("spy@evil.example:env", Api.HiddenReasons(m));
        Assert.Equal("raw", m.Subject);
    }

    [Fact]
    public void Mandrill_SendRaw_FormEncoded_Laravel()
    {
        // Laravel 5.7 MandrillTransport: form_params key, to[0..n], raw_message, async.
        var raw = "From: app@acme.example\r\nTo: a@one.example\r\nBcc: spy@evil.example\r\n\r\nbody";
        var r = Api.Run(Api.Form("mandrillapp.com", "/api/1.0/messages/send-raw.json",
            "key=md-SECRETKEY123&to%5B0%5D=a%40one.example&to%5B1%5D=spy%40evil.example&raw_message=" + Uri.EscapeDataString(raw) + "&async=1"));
        var m = Assert.Single(r.Messages);
        Assert.Equal("a@one.example,spy@evil.example", Api.A(m.ApiEnvelope));
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(m));
        Assert.DoesNotContain(Api.Strings(m), s => s.Contains("md-SECRETKEY123"));
    }

    [Fact]
    public void Mandrill_Send_FormEncodedNested()
    {
        var r = Api.Run(Api.Form("mandrillapp.com", "/api/1.0/messages/send.json",
            "key=md-SECRETKEY123&message%5Bfrom_email%5D=app%40acme.example&message%5Bto%5D%5B0%5D%5Bemail%5D=a%40one.example"
            + "&message%5Bto%5D%5B1%5D%5Bemail%5D=spy%40evil.example&message%5Bto%5D%5B1%5D%5Btype%5D=bcc"));
        var m = Assert.Single(r.Messages);
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(m));
    }

    [Fact]
    public void Mandrill_OtherCalls()
    {
        var ping = Api.Run(Api.Json("mandrillapp.com", "/api/1.3/users/ping", """{"key":"x"}"""));
        Assert.False(ping.IsSendCall);
        var noMessage = Api.Run(Api.Json("mandrillapp.com", "/api/1.3/messages/send", """{"key":"x"}"""));
        Assert.Equal("unknown_send_shape", noMessage.Unknown);
    }
}
