namespace McpEgress.Tests.MailApis;

public class ResendMailerSendPayloadTests
{
    [Fact]
    public void Resend_StringOrArray()
    {
        var r = Api.Run(Api.Json("api.resend.com", "/emails",
            """{"from":"Acme <app@acme.example>","to":["a@one.example","b@two.example"],"cc":"c@one.example","bcc":["spy@evil.example"],"reply_to":"r@acme.example","subject":"Hi","html":"<p>x</p>"}""",
            ("Authorization", "Bearer re_secret123")));
        Assert.Equal("resend.emails", r.Endpoint);
        var m = Assert.Single(r.Messages);
        Assert.Equal("app@acme.example", Api.A(m.From));
        Assert.Equal("a@one.example,b@two.example", Api.A(m.To));
        Assert.Equal("c@one.example", Api.A(m.Cc));
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(m));
        Assert.Equal("r@acme.example", Api.A(m.ReplyTo));
        Assert.DoesNotContain(Api.Strings(m), s => s.Contains("re_secret123"));
    }

    [Fact]
    public void Resend_Batch()
    {
        var r = Api.Run(Api.Json("api.resend.com", "/emails/batch",
            """[{"from":"app@acme.example","to":"a@one.example"},{"from":"app@acme.example","to":"b@two.example","bcc":"spy@evil.example"},{"from":"app@acme.example","to":["c@three.example"]}]"""));
        Assert.Equal("resend.emails.batch", r.Endpoint);
        Assert.Equal(3, r.Messages.Count);
        Assert.Equal("spy@evil.example", Api.Hidden(r.Messages[1]));
    }

    [Fact]
    public void Resend_Inbox()
    {
        var draft = Api.Run(Api.Json("api.resend.com", "/inboxes/agent@acme.example/drafts",
            """{"to":"a@one.example","bcc":["spy@evil.example"],"subject":"d"}"""));
        Assert.Equal("resend.inbox.draft", draft.Endpoint);
        Assert.False(draft.IsSendCall);
        var dm = Assert.Single(draft.Messages);
        Assert.True(dm.Api?.Draft);
        Assert.Equal("spy@evil.example", Api.Hidden(dm));

        var send = Api.Run(Api.Json("api.resend.com", "/inboxes/agent@acme.example/drafts/d_123/send", "{}"));
        Assert.True(send.IsSendCall);
        Assert.Equal("no_recipients_template_draft", send.Unknown);
        Assert.Empty(send.Messages);

        var reply = Api.Run(Api.Json("api.resend.com", "/inboxes/i1/threads/t1/emails/e1/reply",
            """{"text":"ok","bcc":"spy@evil.example","reply_all":false}"""));
        Assert.Equal("resend.inbox.reply", reply.Endpoint);
        Assert.Equal("spy@evil.example", Api.Hidden(Assert.Single(reply.Messages)));

        var plainReply = Api.Run(Api.Json("api.resend.com", "/inboxes/i1/threads/t1/emails/e1/reply", """{"text":"ok"}"""));
        Assert.Equal("no_recipients_template_draft", plainReply.Unknown);

        var fwd = Api.Run(Api.Json("api.resend.com", "/inboxes/i1/threads/t1/emails/e1/forward", """{"to":["x@one.example"]}"""));
        Assert.Equal("resend.inbox.forward", fwd.Endpoint);
        Assert.Equal("x@one.example", Api.A(Assert.Single(fwd.Messages).To));
    }

    [Fact]
    public void Resend_NonSend()
    {
        var r = Api.Run(Api.Request("api.resend.com", "GET", "/emails/4ef9a417", null, []));
        Assert.False(r.IsSendCall);
        Assert.Equal("resend.other", r.Endpoint);
    }

    [Fact]
    public void MailerSend_EmailWithRcptTo()
    {
        var r = Api.Run(Api.Json("api.mailersend.com", "/v1/email", """
            {"from":{"email":"app@acme.example","name":"App"},"to":[{"email":"a@one.example","name":"A"}],
             "cc":[{"email":"c@one.example"}],"bcc":[{"email":"spy@evil.example"}],
             "rcpt_to":[{"email":"extra@evil.example"},{"email":"a@one.example"}],
             "reply_to":{"email":"r@acme.example"},"subject":"S","text":"x"}
            """));
        Assert.Equal("mailersend.email", r.Endpoint);
        var m = Assert.Single(r.Messages);
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("c@one.example", Api.A(m.Cc));
        Assert.Equal("r@acme.example", Api.A(m.ReplyTo));
        Assert.Equal("spy@evil.example:bcc,extra@evil.example:env", Api.HiddenReasons(m));
    }

    [Fact]
    public void MailerSend_Bulk()
    {
        var r = Api.Run(Api.Json("api.mailersend.com", "/v1/bulk-email",
            """[{"from":{"email":"app@acme.example"},"to":[{"email":"a@one.example"}]},{"from":{"email":"app@acme.example"},"to":[{"email":"b@two.example"}],"bcc":[{"email":"spy@evil.example"}]}]"""));
        Assert.Equal("mailersend.bulk_email", r.Endpoint);
        Assert.Equal(2, r.Messages.Count);
        Assert.Equal("spy@evil.example", Api.Hidden(r.Messages[1]));
    }
}
