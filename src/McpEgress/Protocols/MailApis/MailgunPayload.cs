using McpEgress.Protocols.MailApis.Bodies;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// Mailgun (multipart/form-data or urlencoded). /v3/{domain}/messages: repeated to/cc/bcc fields, each possibly a
/// comma list; Reply-To travels as h:Reply-To. /v3/{domain}/messages.mime: `to` lists every envelope recipient and
/// `message` is the raw MIME document, so hidden = envelope − MIME To/Cc (mailgun-php#81).
/// /v3/domains/{domain}/messages/{key}: re-send of a stored message to `to`.
/// </summary>
internal static class MailgunPayload
{
    public static void Extract(MailApiCall c)
    {
        if (!c.IsPost) return;
        var s = c.Segments;
        string? endpoint = null;
        if (s.Length == 3 && MailApiCall.SegIs(s[0], "v3") && MailApiCall.SegIs(s[2], "messages")) endpoint = "mailgun.messages";
        else if (s.Length == 3 && MailApiCall.SegIs(s[0], "v3") && MailApiCall.SegIs(s[2], "messages.mime")) endpoint = "mailgun.messages.mime";
        else if (s.Length == 5 && MailApiCall.SegIs(s[0], "v3") && MailApiCall.SegIs(s[1], "domains") && MailApiCall.SegIs(s[3], "messages"))
            endpoint = "mailgun.messages.resend";
        if (endpoint is null) return;
        c.SetEndpoint(endpoint);
        var form = c.ReadForm();
        if (form is null) return;
        var d = new MessageDraft();
        switch (endpoint)
        {
            case "mailgun.messages":
                c.AddList(d, d.From, form.Get("from"));
                foreach (var v in form.GetAll("to")) c.AddList(d, d.To, v);
                foreach (var v in form.GetAll("cc")) c.AddList(d, d.Cc, v);
                foreach (var v in form.GetAll("bcc")) c.AddList(d, d.Bcc, v);
                c.AddList(d, d.ReplyTo, form.Get("h:Reply-To"));
                d.Subject = form.Get("subject");
                break;
            case "mailgun.messages.mime":
                var message = form.GetField("message");
                if (message is null)
                    c.Fail(MailApiUnknownReason.UnknownSendShape);
                else
                    c.ReadRaw(d, message.Data.Span);
                foreach (var v in form.GetAll("to")) c.AddList(d, d.ApiEnvelope, v);
                break;
            default:
                // The stored message's own headers are not in this request; `to` is the explicit new recipient list.
                foreach (var v in form.GetAll("to")) c.AddList(d, d.To, v);
                break;
        }
        c.Emit(d);
    }
}
