using System.Text;

namespace McpEgress.Tests.MailApis;

public class GraphGmailPayloadTests
{
    private const string RawWithBcc =
        "From: Me <me@acme.example>\r\nTo: a@one.example\r\nCc: c@one.example\r\nBcc: spy@evil.example\r\nSubject: Gm\r\n\r\nbody ~~~ ???\r\n";

    [Theory]
    [InlineData("graph.microsoft.com", "/v1.0/me/sendMail")]
    [InlineData("graph.microsoft.us", "/beta/users/me@acme.example/sendMail")]
    [InlineData("microsoftgraph.chinacloudapi.cn", "/v1.0/users/0f1e/sendmail")]
    public void SendMail_Json(string host, string path)
    {
        var r = Api.Run(Api.Json(host, path, """
            {"message":{"subject":"G","body":{"contentType":"Text","content":"x"},
              "toRecipients":[{"emailAddress":{"address":"a@one.example","name":"A"}}],
              "ccRecipients":[{"emailAddress":{"address":"c@one.example"}}],
              "bccRecipients":[{"emailAddress":{"address":"spy@evil.example"}}],
              "replyTo":[{"emailAddress":{"address":"r@acme.example"}}]},"saveToSentItems":false}
            """, ("Authorization", "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOi.secret")));
        Assert.Equal("graph", r.Provider);
        Assert.Equal("graph.send_mail", r.Endpoint);
        var m = Assert.Single(r.Messages);
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("A", m.To[0].DisplayName);
        Assert.Equal("c@one.example", Api.A(m.Cc));
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(m));
        Assert.Equal("r@acme.example", Api.A(m.ReplyTo));
        Assert.Equal("G", m.Subject);
        if (path.Contains("me@acme.example")) Assert.Equal("me@acme.example", Api.A(m.From));
        Assert.DoesNotContain(Api.Strings(m), s => s.Contains("eyJ0eXAiOiJKV1Q"));
    }

    [Fact]
    public void SendMail_Mime()
    {
        var r = Api.Run(Api.Request("graph.microsoft.com", "POST", "/v1.0/me/sendMail", "text/plain",
            Encoding.ASCII.GetBytes(Api.B64(RawWithBcc))));
        var m = Assert.Single(r.Messages);
        Assert.Equal("me@acme.example", Api.A(m.From));
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(m));
        Assert.True(m.Api?.RawMessage);
    }

    [Fact]
    public void DraftFlow()
    {
        var create = Api.Run(Api.Json("graph.microsoft.com", "/v1.0/me/mailFolders/drafts/messages",
            """{"subject":"d","toRecipients":[{"emailAddress":{"address":"a@one.example"}}],"bccRecipients":[{"emailAddress":{"address":"spy@evil.example"}}]}"""));
        Assert.Equal("graph.message.create", create.Endpoint);
        Assert.False(create.IsSendCall);
        Assert.Equal("spy@evil.example", Api.Hidden(Assert.Single(create.Messages)));

        var patch = Api.Run(Api.Request("graph.microsoft.com", "PATCH", "/v1.0/me/messages/AAMk=", "application/json",
            Encoding.UTF8.GetBytes("""{"bccRecipients":[{"emailAddress":{"address":"spy2@evil.example"}}]}""")));
        Assert.Equal("graph.message.update", patch.Endpoint);
        Assert.Equal("spy2@evil.example", Api.Hidden(Assert.Single(patch.Messages)));

        var send = Api.Run(Api.Request("graph.microsoft.com", "POST", "/v1.0/me/messages/AAMk=/send", "application/json",
            Encoding.ASCII.GetBytes("null")));
        Assert.True(send.IsSendCall);
        Assert.Equal("graph.message.send", send.Endpoint);
        Assert.Equal("no_recipients_template_draft", send.Unknown);
    }

    [Fact]
    public void ForwardAndReply()
    {
        var fwd = Api.Run(Api.Json("graph.microsoft.com", "/v1.0/users/u1/messages/AAMk/forward",
            """{"comment":"fyi","toRecipients":[{"emailAddress":{"address":"x@one.example"}}],"message":{"bccRecipients":[{"emailAddress":{"address":"spy@evil.example"}}]}}"""));
        Assert.Equal("graph.message.forward", fwd.Endpoint);
        var m = Assert.Single(fwd.Messages);
        Assert.Equal("x@one.example", Api.A(m.To));
        Assert.Equal("spy@evil.example", Api.Hidden(m));

        var reply = Api.Run(Api.Json("graph.microsoft.com", "/v1.0/me/messages/AAMk/replyAll", """{"comment":"ok"}"""));
        Assert.Equal("graph.message.reply_all", reply.Endpoint);
        Assert.Equal("no_recipients_template_draft", reply.Unknown);
    }

    [Fact]
    public void Batch_NestedRequests()
    {
        var r = Api.Run(Api.Json("graph.microsoft.com", "/v1.0/$batch", $$$$"""
            {"requests":[
              {"id":"1","method":"GET","url":"/me/messages?$top=1"},
              {"id":"2","method":"POST","url":"/me/sendMail","headers":{"Content-Type":"application/json"},
               "body":{"message":{"toRecipients":[{"emailAddress":{"address":"a@one.example"}}],"bccRecipients":[{"emailAddress":{"address":"spy@evil.example"}}]}}},
              {"id":"3","method":"POST","url":"users/me@acme.example/sendMail","headers":{"Content-Type":"text/plain"},"body":"{{{{Api.B64(RawWithBcc)}}}}"}]}
            """));
        Assert.Equal("graph.batch", r.Endpoint);
        Assert.True(r.IsSendCall);
        Assert.Equal(2, r.Messages.Count);
        Assert.Equal("spy@evil.example", Api.Hidden(r.Messages[0]));
        Assert.Equal("graph.send_mail", r.Messages[0].Api?.Endpoint);
        Assert.Equal("a@one.example", Api.A(r.Messages[1].To));
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(r.Messages[1]));
    }

    [Fact]
    public void Graph_NonMail()
    {
        var r = Api.Run(Api.Request("graph.microsoft.com", "GET", "/v1.0/me/messages", null, []));
        Assert.False(r.IsSendCall);
        Assert.Equal("graph.other", r.Endpoint);
        Assert.Null(r.Unknown);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gmail_Raw_Base64Url(bool padded)
    {
        var raw = Api.B64Url(RawWithBcc);
        if (padded) raw = raw.PadRight((raw.Length + 3) / 4 * 4, '=');
        var r = Api.Run(Api.Json("gmail.googleapis.com", "/gmail/v1/users/me/messages/send?access_token=ya29.SECRETQ",
            $$"""{"raw":"{{raw}}","threadId":"t1"}"""));
        Assert.Equal("gmail", r.Provider);
        Assert.Equal("gmail.messages.send", r.Endpoint);
        var m = Assert.Single(r.Messages);
        Assert.Equal("me@acme.example", Api.A(m.From));
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("c@one.example", Api.A(m.Cc));
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(m));
        Assert.Equal("Gm", m.Subject);
        Assert.Equal("https://gmail.googleapis.com/gmail/v1/users/me/messages/send?access_token=[REDACTED]", m.Http?.Url);
        Assert.DoesNotContain(Api.Strings(m), s => s.Contains("ya29.SECRETQ"));
    }

    [Fact]
    public void Gmail_Raw_Bad()
    {
        var an = new MailApiAnomalySink();
        var r = Api.Run(Api.Json("gmail.googleapis.com", "/gmail/v1/users/me/messages/send", """{"raw":"a$b"}"""), an);
        Assert.Equal("bad_base64_raw", r.Unknown);
        Assert.Empty(r.Messages);
        Assert.True(an.Has("bad_base64_raw"));
    }

    [Fact]
    public void Gmail_UploadMedia()
    {
        var r = Api.Run(Api.Request("gmail.googleapis.com", "POST", "/upload/gmail/v1/users/me/messages/send?uploadType=media",
            "message/rfc822", Encoding.UTF8.GetBytes(RawWithBcc)));
        Assert.Equal("gmail.messages.send.upload", r.Endpoint);
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(Assert.Single(r.Messages)));
    }

    [Fact]
    public void Gmail_UploadMultipartRelated()
    {
        const string b = "4f7c2a1d-6e5b";
        var body = $"--{b}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{{\"threadId\":\"t1\"}}\r\n"
            + $"--{b}\r\nContent-Type: message/rfc822\r\n\r\n{RawWithBcc}\r\n--{b}--\r\n";
        var r = Api.Run(Api.Request("www.googleapis.com", "POST", "/upload/gmail/v1/users/me/messages/send?uploadType=multipart",
            $"multipart/related; boundary={b}", Encoding.UTF8.GetBytes(body)));
        var m = Assert.Single(r.Messages);
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(m));
    }

    [Fact]
    public void Gmail_Drafts()
    {
        var create = Api.Run(Api.Json("gmail.googleapis.com", "/gmail/v1/users/me/drafts", $$$"""{"message":{"raw":"{{{Api.B64Url(RawWithBcc)}}}"}}"""));
        Assert.Equal("gmail.drafts.create", create.Endpoint);
        Assert.False(create.IsSendCall);
        Assert.Equal("spy@evil.example", Api.Hidden(Assert.Single(create.Messages)));

        var sendById = Api.Run(Api.Json("gmail.googleapis.com", "/gmail/v1/users/me/drafts/send", """{"id":"r-123"}"""));
        Assert.True(sendById.IsSendCall);
        Assert.Equal("no_recipients_template_draft", sendById.Unknown);

        var sendWithRaw = Api.Run(Api.Json("gmail.googleapis.com", "/gmail/v1/users/me/drafts/send",
            $$$"""{"id":"r-123","message":{"raw":"{{{Api.B64Url(RawWithBcc)}}}"}}"""));
        Assert.Equal("spy@evil.example", Api.Hidden(Assert.Single(sendWithRaw.Messages)));
    }

    [Fact]
    public void Gmail_OtherGoogleApisOnSharedHost_AreNotOurs()
    {
        var x = new McpEgress.Protocols.MailApis.MailApiExtractor(McpEgress.Protocols.MailApis.MailApiOptions.Default, new MailApiAnomalySink());
        Assert.Null(x.Extract(Api.Json("www.googleapis.com", "/drive/v3/files", "{}"), null));
        var list = Api.Run(Api.Request("gmail.googleapis.com", "GET", "/gmail/v1/users/me/messages", null, []));
        Assert.False(list.IsSendCall);
    }
}
