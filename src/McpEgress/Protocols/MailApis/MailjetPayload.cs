using System.Text.Json;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// Mailjet. v3.1 /v3.1/send: Messages[] of {From, To[], Cc[], Bcc[], ReplyTo, Subject} with {Email,Name} objects;
/// Globals applies to every message. Address lists are merged (a Globals Bcc reaches every message, whatever the
/// message itself lists), single values (From, ReplyTo, Subject) fall back to Globals.
/// v3 /v3/send: FromEmail/FromName, Recipients[]{Email,Name}, To/Cc/Bcc header strings; optionally a Messages array.
/// </summary>
internal static class MailjetPayload
{
    public static void Extract(MailApiCall c)
    {
        if (!c.IsPost) return;
        if (c.PathIs("/v3.1/send"))
        {
            c.SetEndpoint("mailjet.v3_1.send");
            if (!c.TryJson(out var root) || !JsonRead.IsObject(root)) return;
            JsonRead.TryProp(root, "Globals", out var globals);
            foreach (var m in JsonRead.PropItems(root, "Messages"))
                if (JsonRead.IsObject(m) && !c.Emit(ReadV31(c, m, globals))) break;
            return;
        }
        if (c.PathIs("/v3/send"))
        {
            c.SetEndpoint("mailjet.v3.send");
            if (!c.TryJson(out var root) || !JsonRead.IsObject(root)) return;
            if (JsonRead.Has(root, "Messages"))
            {
                foreach (var m in JsonRead.PropItems(root, "Messages"))
                    if (JsonRead.IsObject(m) && !c.Emit(ReadV3(c, m))) break;
            }
            else
            {
                c.Emit(ReadV3(c, root));
            }
        }
    }

    private static MessageDraft ReadV31(MailApiCall c, JsonElement m, JsonElement globals)
    {
        var d = new MessageDraft();
        c.AddProp(d, d.From, m, "From");
        if (d.From.Count == 0) c.AddProp(d, d.From, globals, "From");
        foreach (var src in (ReadOnlySpan<JsonElement>)[m, globals])
        {
            c.AddProp(d, d.To, src, "To");
            c.AddProp(d, d.Cc, src, "Cc");
            c.AddProp(d, d.Bcc, src, "Bcc");
        }
        c.AddProp(d, d.ReplyTo, m, "ReplyTo");
        if (d.ReplyTo.Count == 0) c.AddProp(d, d.ReplyTo, globals, "ReplyTo");
        d.Subject = JsonRead.Str(m, "Subject") ?? JsonRead.Str(globals, "Subject");
        return d;
    }

    private static MessageDraft ReadV3(MailApiCall c, JsonElement m)
    {
        var d = new MessageDraft();
        var fromEmail = JsonRead.Str(m, "FromEmail");
        if (!string.IsNullOrWhiteSpace(fromEmail))
        {
            var name = JsonRead.Str(m, "FromName");
            c.AddList(d, d.From, string.IsNullOrEmpty(name) ? fromEmail : $"\"{name.Replace("\"", "")}\" <{fromEmail.Trim()}>");
        }
        c.AddProp(d, d.To, m, "Recipients");
        c.AddProp(d, d.To, m, "To");
        c.AddProp(d, d.Cc, m, "Cc");
        c.AddProp(d, d.Bcc, m, "Bcc");
        if (JsonRead.TryProp(m, "Headers", out var headers)) c.AddProp(d, d.ReplyTo, headers, "Reply-To");
        d.Subject = JsonRead.Str(m, "Subject");
        return d;
    }
}
