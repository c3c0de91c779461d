using System.Text.Json;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// Postmark (mail-apis.md §3 Postmark): From/To/Cc/Bcc/ReplyTo are comma-separated RFC 5322 list strings.
/// /email and /email/withTemplate take one message, /email/batch a bare array, /email/batchWithTemplates
/// {"Messages":[...]}, /email/bulk shared From/ReplyTo with per-entry To/Cc/Bcc.
/// </summary>
internal static class PostmarkPayload
{
    public static void Extract(MailApiCall c)
    {
        if (!c.IsPost) return;
        string? endpoint = c.Path.TrimEnd('/').ToLowerInvariant() switch
        {
            "/email" => "postmark.email",
            "/email/withtemplate" => "postmark.email.with_template",
            "/email/batch" => "postmark.email.batch",
            "/email/batchwithtemplates" => "postmark.email.batch_with_templates",
            "/email/bulk" => "postmark.email.bulk",
            _ => null,
        };
        if (endpoint is null) return;
        c.SetEndpoint(endpoint);
        if (!c.TryJson(out var root)) return;
        switch (endpoint)
        {
            case "postmark.email.batch":
                c.EmitEach(root, m => Read(c, m, default));
                break;
            case "postmark.email.batch_with_templates":
                foreach (var m in JsonRead.PropItems(root, "Messages"))
                    if (JsonRead.IsObject(m) && !c.Emit(Read(c, m, default))) break;
                break;
            case "postmark.email.bulk":
                if (!JsonRead.IsObject(root)) break;
                foreach (var m in JsonRead.PropItems(root, "Messages"))
                    if (JsonRead.IsObject(m) && !c.Emit(Read(c, m, root))) break;
                break;
            default:
                if (JsonRead.IsObject(root)) c.Emit(Read(c, root, default));
                break;
        }
    }

    /// <summary>One message; <paramref name="shared"/> is the bulk request's top level (From, ReplyTo, Subject).</summary>
    private static MessageDraft Read(MailApiCall c, JsonElement m, JsonElement shared)
    {
        var d = new MessageDraft();
        c.AddProp(d, d.From, m, "From");
        if (d.From.Count == 0) c.AddProp(d, d.From, shared, "From");
        c.AddProp(d, d.To, m, "To");
        c.AddProp(d, d.Cc, m, "Cc");
        c.AddProp(d, d.Bcc, m, "Bcc");
        c.AddProp(d, d.ReplyTo, m, "ReplyTo");
        if (d.ReplyTo.Count == 0) c.AddProp(d, d.ReplyTo, shared, "ReplyTo");
        d.Subject = JsonRead.Str(m, "Subject") ?? JsonRead.Str(shared, "Subject");
        return d;
    }
}
