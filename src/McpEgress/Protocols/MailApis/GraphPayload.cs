using System.Text;
using System.Text.Json;
using McpEgress.Protocols.MailApis.Bodies;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// Microsoft Graph mail: /{v}/(me|users/{id})[/mailFolders/{f}]/... — sendMail (JSON {message{…}} or base64 MIME as
/// text/plain), messages (draft create), PATCH messages/{id} (draft update), messages/{id}/send (recipients only in
/// the draft), messages/{id}/reply|replyAll|forward (toRecipients and/or message{…}, or MIME),
/// createReply|createReplyAll|createForward (drafts). JSON $batch: each requests[] entry is routed the same way.
/// Recipients are {emailAddress:{address,name}}.
/// </summary>
internal static class GraphPayload
{
    private enum Kind { SendMail, Create, Update, DraftSend, ReplyOrForward, CreateReply }

    /// <summary>A body as seen by the router: base64 MIME text, or parsed JSON.</summary>
    private readonly record struct Body(string? MimeBase64, JsonElement Json);

    public static void Extract(MailApiCall c)
    {
        var s = c.Segments;
        if (s.Length < 2) return;
        if (MailApiCall.SegIs(s[1], "$batch") && s.Length == 2)
        {
            if (!c.IsPost) return;
            c.SetEndpoint("graph.batch", send: false);
            ExtractBatch(c);
            return;
        }
        Route(c, c.Method, s.AsSpan(1), nested: false, () =>
        {
            if (c.MediaType.Is("text/plain"))
                return c.BodyUsable() ? new Body(Encoding.ASCII.GetString(c.Request.Body.Span), default) : null;
            return c.TryJson(out var root) ? new Body(null, root) : null;
        });
    }

    private static void ExtractBatch(MailApiCall c)
    {
        if (!c.TryJson(out var root) || !JsonRead.IsObject(root)) return;
        int n = 0;
        foreach (var r in JsonRead.PropItems(root, "requests"))
        {
            if (!JsonRead.IsObject(r)) continue;
            if (++n > c.Options.MaxBatchRequests)
            {
                c.Report(MailApiAnomalies.TooManyBatchRequests);
                break;
            }
            var method = (JsonRead.Str(r, "method") ?? "GET").ToUpperInvariant();
            var url = JsonRead.Str(r, "url") ?? "";
            int q = url.IndexOfAny(['?', '#']);
            if (q >= 0) url = url[..q];
            var seg = Uri.UnescapeDataString(url).Split('/', StringSplitOptions.RemoveEmptyEntries);
            // A nested url may repeat the version ("/v1.0/me/sendMail"); it is relative to it otherwise.
            if (seg.Length > 0 && (MailApiCall.SegIs(seg[0], "v1.0") || MailApiCall.SegIs(seg[0], "beta"))) seg = seg[1..];
            Route(c, method, seg, nested: true, () =>
            {
                if (!JsonRead.TryProp(r, "body", out var body))
                {
                    c.Fail(MailApiUnknownReason.EmptyBody);
                    return null;
                }
                string? contentType = null;
                if (JsonRead.TryProp(r, "headers", out var headers)) contentType = JsonRead.Str(headers, "Content-Type");
                // $batch carries non-JSON bodies as base64 strings; MIME sends are text/plain base64 anyway.
                if (body.ValueKind == JsonValueKind.String && MediaType.Parse(contentType).Is("text/plain"))
                    return new Body(body.GetString(), default);
                return new Body(null, body);
            });
        }
    }

    private static void Route(MailApiCall c, string method, ReadOnlySpan<string> s, bool nested, Func<Body?> readBody)
    {
        // Mailbox: me | users/{id}; then optional mailFolders/{f}.
        string? owner = null;
        if (s.Length >= 1 && MailApiCall.SegIs(s[0], "me")) s = s[1..];
        else if (s.Length >= 2 && MailApiCall.SegIs(s[0], "users")) { owner = s[1]; s = s[2..]; }
        else return;
        if (s.Length >= 2 && MailApiCall.SegIs(s[0], "mailFolders")) s = s[2..];

        (string Endpoint, bool Send, Kind Kind)? route = null;
        if (method == "POST" && s.Length == 1 && MailApiCall.SegIs(s[0], "sendMail")) route = ("graph.send_mail", true, Kind.SendMail);
        else if (method == "POST" && s.Length == 1 && MailApiCall.SegIs(s[0], "messages")) route = ("graph.message.create", false, Kind.Create);
        else if (method == "PATCH" && s.Length == 2 && MailApiCall.SegIs(s[0], "messages")) route = ("graph.message.update", false, Kind.Update);
        else if (method == "POST" && s.Length == 3 && MailApiCall.SegIs(s[0], "messages"))
        {
            route = s[2].ToLowerInvariant() switch
            {
                "send" => ("graph.message.send", true, Kind.DraftSend),
                "reply" => ("graph.message.reply", true, Kind.ReplyOrForward),
                "replyall" => ("graph.message.reply_all", true, Kind.ReplyOrForward),
                "forward" => ("graph.message.forward", true, Kind.ReplyOrForward),
                "createreply" => ("graph.message.create_reply", false, Kind.CreateReply),
                "createreplyall" => ("graph.message.create_reply_all", false, Kind.CreateReply),
                "createforward" => ("graph.message.create_forward", false, Kind.CreateReply),
                _ => null,
            };
        }
        if (route is not { } r) return;
        if (!nested) c.SetEndpoint(r.Endpoint, r.Send);
        else if (r.Send) c.Result.IsSendCall = true;

        if (r.Kind == Kind.DraftSend)
        {
            c.Fail(MailApiUnknownReason.NoRecipientsTemplateDraft, anomaly: false);
            return;
        }
        if (readBody() is not { } body) return;
        var d = new MessageDraft { Endpoint = nested ? r.Endpoint : null, IsDraft = !r.Send };
        if (body.MimeBase64 is not null)
        {
            c.ReadRawBase64(d, body.MimeBase64);
        }
        else
        {
            var json = body.Json;
            switch (r.Kind)
            {
                case Kind.SendMail:
                    if (JsonRead.TryProp(json, "message", out var message)) ReadMessage(c, d, message);
                    break;
                case Kind.Create or Kind.Update:
                    ReadMessage(c, d, json);
                    break;
                default:
                    // reply/forward: toRecipients at the top level, and/or a message{} with all the usual fields.
                    c.AddProp(d, d.To, json, "toRecipients");
                    if (JsonRead.TryProp(json, "message", out var m)) ReadMessage(c, d, m);
                    break;
            }
        }
        if (!d.HasRecipients)
        {
            // A reply goes to the original sender; an update may change only the body: neither names recipients here.
            if (r.Kind is Kind.ReplyOrForward) c.Fail(MailApiUnknownReason.NoRecipientsTemplateDraft, anomaly: false);
            else if (r.Kind is Kind.SendMail) c.Fail(MailApiUnknownReason.UnknownSendShape);
            return;
        }
        // Graph sends as the mailbox owner when the message names no sender.
        if (d.From.Count == 0 && owner is not null && owner.Contains('@')) c.AddList(d, d.From, owner);
        c.Emit(d);
    }

    private static void ReadMessage(MailApiCall c, MessageDraft d, JsonElement m)
    {
        if (!JsonRead.IsObject(m)) return;
        c.AddProp(d, d.From, m, "from");
        if (d.From.Count == 0) c.AddProp(d, d.From, m, "sender");
        c.AddProp(d, d.To, m, "toRecipients");
        c.AddProp(d, d.Cc, m, "ccRecipients");
        c.AddProp(d, d.Bcc, m, "bccRecipients");
        c.AddProp(d, d.ReplyTo, m, "replyTo");
        d.Subject ??= JsonRead.Str(m, "subject");
    }
}
