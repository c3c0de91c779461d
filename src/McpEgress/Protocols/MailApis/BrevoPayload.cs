using System.Text.Json;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// Brevo /v3/smtp/email: sender, to[], cc[], bcc[], replyTo as {email,name}. With messageVersions[] each version is
/// one message with its own to/cc/bcc/replyTo/subject and the top-level `to` is ignored; a top-level cc/bcc is merged
/// into every version (we can't tell whether Brevo drops it, and a hidden copy must not be missed).
/// /v3/smtp/templates/{id}/sendTest: emailTo[] strings.
/// </summary>
internal static class BrevoPayload
{
    public static void Extract(MailApiCall c)
    {
        if (!c.IsPost) return;
        var s = c.Segments;
        if (c.PathIs("/v3/smtp/email"))
        {
            c.SetEndpoint("brevo.smtp.email");
            if (!c.TryJson(out var root) || !JsonRead.IsObject(root)) return;
            if (JsonRead.TryProp(root, "messageVersions", out var versions) && versions.ValueKind == JsonValueKind.Array
                && versions.GetArrayLength() > 0)
            {
                foreach (var v in versions.EnumerateArray())
                {
                    if (!JsonRead.IsObject(v)) continue;
                    var d = new MessageDraft();
                    c.AddProp(d, d.From, root, "sender");
                    c.AddProp(d, d.To, v, "to");
                    c.AddProp(d, d.Cc, v, "cc");
                    c.AddProp(d, d.Cc, root, "cc");
                    c.AddProp(d, d.Bcc, v, "bcc");
                    c.AddProp(d, d.Bcc, root, "bcc");
                    c.AddProp(d, d.ReplyTo, v, "replyTo");
                    if (d.ReplyTo.Count == 0) c.AddProp(d, d.ReplyTo, root, "replyTo");
                    d.Subject = JsonRead.Str(v, "subject") ?? JsonRead.Str(root, "subject");
                    if (!c.Emit(d)) break;
                }
                return;
            }
            var m = new MessageDraft();
            c.AddProp(m, m.From, root, "sender");
            c.AddProp(m, m.To, root, "to");
            c.AddProp(m, m.Cc, root, "cc");
            c.AddProp(m, m.Bcc, root, "bcc");
            c.AddProp(m, m.ReplyTo, root, "replyTo");
            m.Subject = JsonRead.Str(root, "subject");
            c.Emit(m);
            return;
        }
        if (s.Length == 5 && MailApiCall.SegIs(s[0], "v3") && MailApiCall.SegIs(s[1], "smtp")
            && MailApiCall.SegIs(s[2], "templates") && MailApiCall.SegIs(s[4], "sendTest"))
        {
            c.SetEndpoint("brevo.smtp.template.send_test");
            if (!c.TryJson(out var root) || !JsonRead.IsObject(root)) return;
            var d = new MessageDraft();
            c.AddProp(d, d.To, root, "emailTo");
            if (!d.HasRecipients)
                // Without emailTo Brevo sends to the template's configured test list.
                c.Fail(MailApiUnknownReason.NoRecipientsTemplateDraft, anomaly: false);
            else
                c.Emit(d);
        }
    }
}
