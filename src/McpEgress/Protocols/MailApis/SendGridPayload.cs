using System.Text.Json;
using McpEgress.Protocols.MailApis.Bodies;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// SendGrid v3 /v3/mail/send (snake_case JSON): each personalization is a separate delivery with its own to/cc/bcc,
/// so each becomes one message (from/subject fall back to the top level). Legacy v2 /api/mail.send.json is a form:
/// to[] / cc[] / bcc[] / from / replyto, plus x-smtpapi whose "to" list adds envelope-only recipients.
/// </summary>
internal static class SendGridPayload
{
    public static void Extract(MailApiCall c)
    {
        if (!c.IsPost) return;
        if (c.PathIs("/v3/mail/send"))
        {
            c.SetEndpoint("sendgrid.mail.send");
            if (!c.TryJson(out var root)) return;
            if (!JsonRead.IsObject(root)) return;
            foreach (var p in JsonRead.PropItems(root, "personalizations"))
            {
                if (!JsonRead.IsObject(p)) continue;
                var d = new MessageDraft();
                c.AddProp(d, d.From, p, "from");
                if (d.From.Count == 0) c.AddProp(d, d.From, root, "from");
                c.AddProp(d, d.To, p, "to");
                c.AddProp(d, d.Cc, p, "cc");
                c.AddProp(d, d.Bcc, p, "bcc");
                c.AddProp(d, d.ReplyTo, root, "reply_to");
                c.AddProp(d, d.ReplyTo, root, "reply_to_list");
                d.Subject = JsonRead.Str(p, "subject") ?? JsonRead.Str(root, "subject");
                if (!c.Emit(d)) break;
            }
            return;
        }
        if (c.PathIs("/api/mail.send.json") || c.PathIs("/api/mail.send"))
        {
            c.SetEndpoint("sendgrid.v2.mail.send");
            var form = c.ReadForm();
            if (form is null) return;
            c.Emit(ReadV2(c, form));
        }
    }

    private static MessageDraft ReadV2(MailApiCall c, FormFields form)
    {
        var d = new MessageDraft();
        c.AddList(d, d.From, form.Get("from"));
        foreach (var name in (ReadOnlySpan<string>)["to[]", "to"]) foreach (var v in form.GetAll(name)) c.AddList(d, d.To, v);
        foreach (var name in (ReadOnlySpan<string>)["cc[]", "cc"]) foreach (var v in form.GetAll(name)) c.AddList(d, d.Cc, v);
        foreach (var name in (ReadOnlySpan<string>)["bcc[]", "bcc"]) foreach (var v in form.GetAll(name)) c.AddList(d, d.Bcc, v);
        c.AddList(d, d.ReplyTo, form.Get("replyto"));
        d.Subject = form.Get("subject");
        var smtpApi = form.Get("x-smtpapi");
        if (!string.IsNullOrEmpty(smtpApi) && c.TryParseJson(System.Text.Encoding.UTF8.GetBytes(smtpApi), out var x))
            c.AddProp(d, d.ApiEnvelope, x, "to");
        return d;
    }
}
