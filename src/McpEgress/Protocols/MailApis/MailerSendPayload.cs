using System.Text.Json;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// MailerSend /v1/email: from, to[], cc[], bcc[], reply_to as {email,name}; rcpt_to[] are envelope-only recipients
/// (delivered as Bcc when `to` is empty, per the mailersend README), so they form the API envelope.
/// /v1/bulk-email: an array of such bodies.
/// </summary>
internal static class MailerSendPayload
{
    public static void Extract(MailApiCall c)
    {
        if (!c.IsPost) return;
        if (c.PathIs("/v1/email"))
        {
            c.SetEndpoint("mailersend.email");
            if (c.TryJson(out var root) && JsonRead.IsObject(root)) c.Emit(Read(c, root));
            return;
        }
        if (c.PathIs("/v1/bulk-email"))
        {
            c.SetEndpoint("mailersend.bulk_email");
            if (!c.TryJson(out var root)) return;
            c.EmitEach(root, m => Read(c, m));
        }
    }

    private static MessageDraft Read(MailApiCall c, JsonElement m)
    {
        var d = new MessageDraft();
        c.AddProp(d, d.From, m, "from");
        c.AddProp(d, d.To, m, "to");
        c.AddProp(d, d.Cc, m, "cc");
        c.AddProp(d, d.Bcc, m, "bcc");
        c.AddProp(d, d.ApiEnvelope, m, "rcpt_to");
        c.AddProp(d, d.ReplyTo, m, "reply_to");
        d.Subject = JsonRead.Str(m, "subject");
        return d;
    }
}
