namespace McpEgress.Tests.MailApis;

public class SparkPostPayloadTests
{
    [Theory]
    [InlineData("api.sparkpost.com")]
    [InlineData("api.eu.sparkpost.com")]
    [InlineData("acme.api.e.sparkpost.com")]
    public void HeaderToSemantics(string host)
    {
        // The Node client's cc/bcc convenience: cc and bcc people get header_to = the To list; cc also in headers.CC.
        var r = Api.Run(Api.Json(host, "/api/v1/transmissions?num_rcpt_errors=3", """
            {"recipients":[{"address":{"email":"a@one.example","name":"A"}},
                           {"address":{"email":"c@one.example","name":"Bob ","header_to":"\"A\" <a@one.example>"}},
                           {"address":{"email":"spy@evil.example","header_to":"\"A\" <a@one.example>"}}],
             "content":{"from":{"email":"app@acme.example","name":"App"},"subject":"SP","reply_to":"r@acme.example",
                        "headers":{"CC":"\"Bob \" <c@one.example>"},"text":"x"}}
            """, ("Authorization", "rawsparkpostkey0123")));
        Assert.Equal("sparkpost.transmissions", r.Endpoint);
        var m = Assert.Single(r.Messages);
        Assert.Equal("app@acme.example", Api.A(m.From));
        Assert.Equal("a@one.example", Api.A(m.To));
        Assert.Equal("c@one.example", Api.A(m.Cc));
        // SparkPost's Bcc: a recipient neither header shows is the message's Bcc
        // (src/McpEgress/Protocols/MailApis/mail-apis.md §2).
        Assert.Equal("spy@evil.example", Api.A(m.Bcc));
        Assert.Equal("spy@evil.example:bcc", Api.HiddenReasons(m));
        Assert.Equal("r@acme.example", Api.A(m.ReplyTo));
        Assert.Equal("SP", m.Subject);
        Assert.Equal("https://" + host + "/api/v1/transmissions?num_rcpt_errors=3", m.Http?.Url);
        Assert.DoesNotContain(Api.Strings(m), s => s.Contains("rawsparkpostkey0123"));
    }

    [Fact]
    public void StringAddresses_AllVisible()
    {
        var r = Api.Run(Api.Json("api.sparkpost.com", "/api/v1/transmissions",
            """{"recipients":[{"address":"a@one.example"},{"address":"b@two.example"}],"content":{"from":"app@acme.example","subject":"s","text":"x"}}"""));
        var m = Assert.Single(r.Messages);
        Assert.Equal("a@one.example,b@two.example", Api.A(m.To));
        Assert.Empty(m.Hidden);
    }

    [Fact]
    public void Rfc822_RecipientsAreEnvelope()
    {
        var r = Api.Run(Api.Json("api.sparkpost.com", "/api/v1/transmissions", """
            {"recipients":[{"address":"a@one.example"},{"address":"spy@evil.example"}],
             "content":{"email_rfc822":"From: app@acme.example\nTo: a@one.example\nSubject: raw\n\nbody"}}
            """));
        var m = Assert.Single(r.Messages);
        Assert.Equal("a@one.example", Api.A(m.To));
        // Raw content: the MIME headers are the message, recipients[] only its envelope
        // (src/McpEgress/Protocols/MailApis/mail-apis.md §2).
        Assert.Empty(m.Bcc);
        Assert.Equal("spy@evil.example:env", Api.HiddenReasons(m));
    }

    [Fact]
    public void StoredList_HasNoRecipients()
    {
        var r = Api.Run(Api.Json("api.sparkpost.com", "/api/v1/transmissions",
            """{"recipients":{"list_id":"my-list"},"content":{"template_id":"t"}}"""));
        Assert.True(r.IsSendCall);
        Assert.Equal("no_recipients_template_draft", r.Unknown);
    }
}
