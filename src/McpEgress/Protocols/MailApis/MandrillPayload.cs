using System.Text.Json;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// Mandrill / Mailchimp Transactional: POST /api/{1.0|1.3}/messages/{send|send-template|send-mc-template|send-raw}
/// with an optional output suffix (.json/.xml/.php/.yaml); JSON or (PHP SDKs) bracketed form body. The API key is the
/// body field `key` and is never read. message.to[] carries type to|cc|bcc; bcc_address is one more blind copy.
/// send-raw: raw_message is RFC 822 text and to[] (strings) the envelope.
/// </summary>
internal static class MandrillPayload
{
    public static void Extract(MailApiCall c)
    {
        if (!c.IsPost) return;
        var s = c.Segments;
        if (s.Length != 4 || !MailApiCall.SegIs(s[0], "api") || !(s[1] is "1.0" or "1.3") || !MailApiCall.SegIs(s[2], "messages"))
            return;
        string call = s[3];
        int dot = call.IndexOf('.');
        if (dot >= 0) call = call[..dot];
        string? endpoint = call.ToLowerInvariant() switch
        {
            "send" => "mandrill.messages.send",
            "send-template" => "mandrill.messages.send_template",
            "send-mc-template" => "mandrill.messages.send_mc_template",
            "send-raw" => "mandrill.messages.send_raw",
            _ => null,
        };
        if (endpoint is null) return;
        c.SetEndpoint(endpoint);
        if (!c.TryJsonOrForm(out var root) || !JsonRead.IsObject(root)) return;
        var d = new MessageDraft();
        if (endpoint == "mandrill.messages.send_raw")
        {
            var raw = JsonRead.Str(root, "raw_message");
            if (raw is null) c.Fail(MailApiUnknownReason.UnknownSendShape);
            else c.ReadRawText(d, raw);
            c.AddProp(d, d.ApiEnvelope, root, "to");
            if (d.From.Count == 0) AddFrom(c, d, root);
            c.Emit(d);
            return;
        }
        if (!JsonRead.TryProp(root, "message", out var m) || !JsonRead.IsObject(m))
        {
            c.Fail(MailApiUnknownReason.UnknownSendShape);
            return;
        }
        AddFrom(c, d, m);
        foreach (var r in JsonRead.PropItems(m, "to"))
        {
            string? type = r.ValueKind == JsonValueKind.Object ? JsonRead.Str(r, "type")?.Trim().ToLowerInvariant() : null;
            var into = type switch { "cc" => d.Cc, "bcc" => d.Bcc, _ => d.To };
            c.AddJson(d, into, r);
        }
        c.AddProp(d, d.Bcc, m, "bcc_address");
        if (JsonRead.TryProp(m, "headers", out var headers)) c.AddProp(d, d.ReplyTo, headers, "Reply-To");
        d.Subject = JsonRead.Str(m, "subject");
        c.Emit(d);
    }

    private static void AddFrom(MailApiCall c, MessageDraft d, JsonElement obj)
    {
        var email = JsonRead.Str(obj, "from_email");
        if (string.IsNullOrWhiteSpace(email)) return;
        var name = JsonRead.Str(obj, "from_name");
        var list = Imf.MimeAddresses.Parse(email.Trim(), c.ImfOptions, c.Anomalies);
        foreach (var a in list)
            d.From.Add(a.DisplayName is null && !string.IsNullOrEmpty(name) ? a with { DisplayName = name } : a);
    }
}
