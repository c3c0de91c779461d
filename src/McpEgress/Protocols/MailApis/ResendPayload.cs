using System.Text.Json;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// Resend: from/to/cc/bcc/reply_to are each a string or an array of strings. /emails one message, /emails/batch an
/// array. Inbox API: /inboxes/{i}/drafts (draft, not a send), /drafts/{d}/send (recipients only in the draft),
/// /threads/{t}/emails/{e}/reply (cc/bcc; the To is the original sender, not in the request) and /forward.
/// </summary>
internal static class ResendPayload
{
    public static void Extract(MailApiCall c)
    {
        var s = c.Segments;
        if (!c.IsPost) return;
        if (c.PathIs("/emails"))
        {
            c.SetEndpoint("resend.emails");
            if (c.TryJson(out var root) && JsonRead.IsObject(root)) c.Emit(Read(c, root));
            return;
        }
        if (c.PathIs("/emails/batch"))
        {
            c.SetEndpoint("resend.emails.batch");
            if (!c.TryJson(out var root)) return;
            c.EmitEach(root, m => Read(c, m));
            return;
        }
        if (s.Length < 3 || !MailApiCall.SegIs(s[0], "inboxes")) return;
        if (s.Length == 3 && MailApiCall.SegIs(s[2], "drafts"))
        {
            c.SetEndpoint("resend.inbox.draft", send: false);
            if (!c.TryJson(out var root) || !JsonRead.IsObject(root)) return;
            var d = Read(c, root);
            d.IsDraft = true;
            c.Emit(d);
            return;
        }
        if (s.Length == 5 && MailApiCall.SegIs(s[2], "drafts") && MailApiCall.SegIs(s[4], "send"))
        {
            c.SetEndpoint("resend.inbox.draft.send");
            c.Fail(MailApiUnknownReason.NoRecipientsTemplateDraft, anomaly: false);
            return;
        }
        if (s.Length == 7 && MailApiCall.SegIs(s[2], "threads") && MailApiCall.SegIs(s[4], "emails")
            && (MailApiCall.SegIs(s[6], "reply") || MailApiCall.SegIs(s[6], "forward")))
        {
            c.SetEndpoint(MailApiCall.SegIs(s[6], "reply") ? "resend.inbox.reply" : "resend.inbox.forward");
            if (!c.TryJson(out var root) || !JsonRead.IsObject(root)) return;
            var d = Read(c, root);
            if (!d.HasRecipients)
                // A plain reply goes to the original sender, whom the request doesn't name.
                c.Fail(MailApiUnknownReason.NoRecipientsTemplateDraft, anomaly: false);
            else
                c.Emit(d);
        }
    }

    private static MessageDraft Read(MailApiCall c, JsonElement m)
    {
        var d = new MessageDraft();
        c.AddProp(d, d.From, m, "from");
        c.AddProp(d, d.To, m, "to");
        c.AddProp(d, d.Cc, m, "cc");
        c.AddProp(d, d.Bcc, m, "bcc");
        c.AddProp(d, d.ReplyTo, m, "reply_to");
        c.AddProp(d, d.ReplyTo, m, "replyTo");
        d.Subject = JsonRead.Str(m, "subject");
        return d;
    }
}
