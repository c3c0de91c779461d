using System.Text.Json;
using McpEgress.Protocols.MailApis.Bodies;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// Gmail API: recipients are the To/Cc/Bcc headers of the RFC 822 message. Metadata calls carry it as `raw`
/// (base64url, padded or not): messages.send {raw}, drafts.create/update/send {message:{raw}}. Upload calls
/// (/upload/gmail/v1/...) carry it as message/rfc822 bytes (uploadType=media, and the PUT of a resumable session) or as
/// the message/rfc822 part of a multipart/related body (uploadType=multipart; part 1 is JSON metadata).
/// drafts.send with only {id} names no recipients.
/// </summary>
internal static class GmailPayload
{
    public static void Extract(MailApiCall c)
    {
        var s = c.Segments;
        if (s.Length == 3 && MailApiCall.SegIs(s[0], "batch") && MailApiCall.SegIs(s[1], "gmail"))
        {
            if (!c.IsPost) return;
            c.SetEndpoint("gmail.batch", send: false);
            c.Fail(MailApiUnknownReason.UnsupportedBatch, anomaly: false);
            return;
        }
        bool upload = s.Length > 0 && MailApiCall.SegIs(s[0], "upload");
        var p = upload ? s.AsSpan(1) : s.AsSpan();
        // gmail/v1/users/{userId}/(messages|drafts)/...
        if (p.Length < 5 || !MailApiCall.SegIs(p[0], "gmail") || !MailApiCall.SegIs(p[2], "users")) return;
        var rest = p[4..];
        string? endpoint = null;
        bool send = true, draft = false;
        if (rest.Length == 2 && MailApiCall.SegIs(rest[0], "messages") && MailApiCall.SegIs(rest[1], "send")
            && c.Method is "POST" or "PUT")
            endpoint = "gmail.messages.send";
        else if (rest.Length == 2 && MailApiCall.SegIs(rest[0], "drafts") && MailApiCall.SegIs(rest[1], "send")
            && c.Method is "POST" or "PUT")
            endpoint = "gmail.drafts.send";
        else if (rest.Length == 1 && MailApiCall.SegIs(rest[0], "drafts") && c.Method is "POST" or "PUT")
        {
            endpoint = "gmail.drafts.create";
            send = false;
            draft = true;
        }
        else if (rest.Length == 2 && MailApiCall.SegIs(rest[0], "drafts") && c.Method == "PUT")
        {
            endpoint = "gmail.drafts.update";
            send = false;
            draft = true;
        }
        if (endpoint is null) return;
        c.SetEndpoint(upload ? endpoint + ".upload" : endpoint, send);

        var d = new MessageDraft { IsDraft = draft };
        bool drafts = !endpoint.StartsWith("gmail.messages", StringComparison.Ordinal);
        if (upload && !c.MediaType.SubType.Contains("json", StringComparison.Ordinal))
        {
            if (!ReadUpload(c, d)) return;
        }
        else
        {
            if (upload && string.Equals(c.Query("uploadType"), "resumable", StringComparison.OrdinalIgnoreCase))
            {
                // The message bytes follow in a later PUT to the session URL.
                c.Fail(MailApiUnknownReason.ResumableUpload, anomaly: false);
                return;
            }
            if (!c.TryJson(out var root) || !JsonRead.IsObject(root)) return;
            var holder = root;
            if (drafts && !JsonRead.TryProp(root, "message", out holder))
            {
                c.Fail(MailApiUnknownReason.NoRecipientsTemplateDraft, anomaly: false);
                return;
            }
            var raw = JsonRead.Str(holder, "raw");
            if (raw is null)
            {
                // drafts.send {id, message:{id}} or a message without raw: recipients are in the stored draft.
                c.Fail(drafts ? MailApiUnknownReason.NoRecipientsTemplateDraft : MailApiUnknownReason.UnknownSendShape, anomaly: !drafts);
                return;
            }
            if (!c.ReadRawBase64(d, raw)) return;
        }
        c.Emit(d);
    }

    private static bool ReadUpload(MailApiCall c, MessageDraft d)
    {
        if (!c.BodyUsable()) return false;
        var mt = c.MediaType;
        if (mt.Type.StartsWith("multipart/", StringComparison.Ordinal))
        {
            var boundary = mt.Parameter("boundary");
            if (string.IsNullOrEmpty(boundary))
            {
                c.Fail(MailApiUnknownReason.MultipartMalformed);
                return false;
            }
            var parts = MultipartParser.Parse(c.Request.Body, boundary, c.Options.MaxMultipartParts, c.Anomalies, out bool malformed);
            if (malformed) c.Result.Unknown ??= MailApiUnknownReason.MultipartMalformed;
            MultipartPart? message = null;
            foreach (var part in parts)
            {
                var pt = MediaType.Parse(part.ContentType);
                if (pt.Is("message/rfc822")) { message = part; break; }
                if (!pt.SubType.Contains("json", StringComparison.Ordinal)) message ??= part;
            }
            if (message is null)
            {
                c.Fail(MailApiUnknownReason.MultipartMalformed, anomaly: !malformed);
                return false;
            }
            if (MediaType.Parse(message.ContentType).Is("message/rfc822") || message.GetHeader("Content-Transfer-Encoding") is null)
                c.ReadRaw(d, message.Body.Span);
            else if (!c.ReadRawBase64(d, System.Text.Encoding.ASCII.GetString(message.Body.Span)))
                return false;
            return true;
        }
        // uploadType=media or a resumable session's PUT: the body is the message (message/rfc822, octet-stream...).
        c.ReadRaw(d, c.Request.Body.Span);
        return true;
    }
}
