using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using McpEgress.Mail;

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
        // One pass over the message's properties finds the fields (not one pass per field); they are then read in the
        // fixed order From, To, Cc, Bcc, ReplyTo, as the per-recipient limit expects. A field named twice (any case)
        // is read with every occurrence, in order (AddProp).
        var found = new FoundFields();
        JsonElement subject = default;
        if (m.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in m.EnumerateObject())
            {
                var f = FieldOf(p);
                if (f == Field.Subject)
                {
                    if (subject.ValueKind == JsonValueKind.Undefined && p.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
                        subject = p.Value;
                }
                else if (f != Field.None)
                {
                    ref var slot = ref found[(int)f];
                    if (slot.Count++ == 0) slot.Value = p.Value;
                }
            }
        }
        var d = new MessageDraft();
        Add(c, d, found[(int)Field.From], m, "From", static d => d.From);
        if (!d.HasFrom && shared.ValueKind == JsonValueKind.Object) c.AddProp(d, d.From, shared, "From");
        Add(c, d, found[(int)Field.To], m, "To", static d => d.To);
        Add(c, d, found[(int)Field.Cc], m, "Cc", static d => d.Cc);
        Add(c, d, found[(int)Field.Bcc], m, "Bcc", static d => d.Bcc);
        Add(c, d, found[(int)Field.ReplyTo], m, "ReplyTo", static d => d.ReplyTo);
        if (!d.HasReplyTo && shared.ValueKind == JsonValueKind.Object) c.AddProp(d, d.ReplyTo, shared, "ReplyTo");
        d.Subject = (subject.ValueKind != JsonValueKind.Undefined ? JsonRead.AsString(subject) : null) ?? JsonRead.Str(shared, "Subject");
        return d;
    }

    private static void Add(MailApiCall c, MessageDraft d, Found f, JsonElement m, string name, Func<MessageDraft, List<MailAddress>> list)
    {
        if (f.Count == 1) c.AddJson(d, list(d), f.Value);
        else if (f.Count > 1) c.AddProp(d, list(d), m, name);
    }

    private enum Field { From, To, Cc, Bcc, ReplyTo, Subject, None }

    [System.Runtime.CompilerServices.InlineArray((int)Field.Subject)]
    private struct FoundFields
    {
        private Found _first;
    }

    private struct Found
    {
        public int Count;
        public JsonElement Value;
    }

    private static readonly (string Name, Field Field)[] Names =
        [("From", Field.From), ("To", Field.To), ("Cc", Field.Cc), ("Bcc", Field.Bcc), ("ReplyTo", Field.ReplyTo), ("Subject", Field.Subject)];

    /// <summary>The field a property names, compared as <see cref="JsonRead.NameIs"/> does (any case).</summary>
    private static Field FieldOf(JsonProperty p)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(p);
        if (raw.IndexOf((byte)'\\') < 0 && Ascii.IsValid(raw))
        {
            // Plain ASCII: the length picks the candidates.
            return raw.Length switch
            {
                2 => Ascii.EqualsIgnoreCase(raw, "To"u8) ? Field.To : Ascii.EqualsIgnoreCase(raw, "Cc"u8) ? Field.Cc : Field.None,
                3 => Ascii.EqualsIgnoreCase(raw, "Bcc"u8) ? Field.Bcc : Field.None,
                4 => Ascii.EqualsIgnoreCase(raw, "From"u8) ? Field.From : Field.None,
                7 => Ascii.EqualsIgnoreCase(raw, "ReplyTo"u8) ? Field.ReplyTo : Ascii.EqualsIgnoreCase(raw, "Subject"u8) ? Field.Subject : Field.None,
                _ => Field.None,
            };
        }
        foreach (var (name, field) in Names)
            if (JsonRead.NameIs(p, name)) return field;
        return Field.None;
    }
}
