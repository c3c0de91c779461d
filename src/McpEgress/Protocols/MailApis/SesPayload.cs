using System.Globalization;
using System.Text.Json;
using McpEgress.Mail;
using McpEgress.Protocols.MailApis.Bodies;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// Amazon SES. v2 (REST JSON): /v2/email/outbound-emails with Destination{To,Cc,Bcc}Addresses and Content
/// Simple|Template|Raw; with Raw, Destination is the envelope (nodemailer puts every recipient in ToAddresses and strips
/// Bcc from the MIME), so its addresses go to ApiEnvelope and To/Cc come from the MIME headers.
/// /v2/email/outbound-bulk-emails: one message per BulkEmailEntries[] entry.
/// v1 (AWS Query form, POST /): Action=SendEmail | SendTemplatedEmail | SendRawEmail | SendBulkTemplatedEmail with
/// "member.N" keys.
/// </summary>
internal static class SesPayload
{
    public static void Extract(MailApiCall c)
    {
        if (!c.IsPost) return;
        if (c.PathIs("/v2/email/outbound-emails"))
        {
            c.SetEndpoint("ses.v2.send_email");
            if (c.TryJson(out var root) && JsonRead.IsObject(root)) c.Emit(ReadV2(c, root, root));
            return;
        }
        if (c.PathIs("/v2/email/outbound-bulk-emails"))
        {
            c.SetEndpoint("ses.v2.send_bulk_email");
            if (!c.TryJson(out var root) || !JsonRead.IsObject(root)) return;
            foreach (var entry in JsonRead.PropItems(root, "BulkEmailEntries"))
                if (JsonRead.IsObject(entry) && !c.Emit(ReadV2(c, root, entry))) break;
            return;
        }
        if (c.Path is "" or "/") ExtractV1(c);
    }

    /// <summary>One v2 message: <paramref name="top"/> holds From/ReplyTo/Content, <paramref name="dest"/> the Destination.</summary>
    private static MessageDraft ReadV2(MailApiCall c, JsonElement top, JsonElement dest)
    {
        var d = new MessageDraft();
        JsonRead.TryProp(dest, "Destination", out var destination);
        bool raw = JsonRead.TryProp(top, "Content", out var content) && JsonRead.TryProp(content, "Raw", out var rawObj)
            && ReadRawV2(c, d, rawObj);
        if (raw)
        {
            foreach (var kind in (ReadOnlySpan<string>)["ToAddresses", "CcAddresses", "BccAddresses"])
                c.AddProp(d, d.ApiEnvelope, destination, kind);
        }
        else
        {
            c.AddProp(d, d.To, destination, "ToAddresses");
            c.AddProp(d, d.Cc, destination, "CcAddresses");
            c.AddProp(d, d.Bcc, destination, "BccAddresses");
            if (JsonRead.TryProp(content, "Simple", out var simple) && JsonRead.TryProp(simple, "Subject", out var subject))
                d.Subject = JsonRead.Str(subject, "Data");
        }
        if (d.From.Count == 0) c.AddProp(d, d.From, top, "FromEmailAddress");
        if (d.ReplyTo.Count == 0) c.AddProp(d, d.ReplyTo, top, "ReplyToAddresses");
        return d;
    }

    private static bool ReadRawV2(MailApiCall c, MessageDraft d, JsonElement rawObj)
    {
        // A failed decode still yields the Destination envelope (what SES would deliver to).
        c.ReadRawBase64(d, JsonRead.Str(rawObj, "Data"));
        return true;
    }

    private static void ExtractV1(MailApiCall c)
    {
        // The Query protocol may also put parameters in the URL; the SDK sends them in the body.
        string? action = c.Query("Action");
        FormFields? form = null;
        if (action is null)
        {
            if (c.Request.Body.IsEmpty && !c.Request.BodyTruncated) return;
            if (c.Request.BodyTruncated || c.Request.BodyDecodeError is not null)
            {
                // Can't know the action; treat as a possible send.
                c.SetEndpoint("ses.v1.unknown");
                c.Fail(MailApiUnknownReason.BodyTruncated);
                return;
            }
            form = FormUrlEncodedParser.Parse(c.Request.Body.Span, c.Options.MaxFormFields, c.Anomalies);
            action = form.Get("Action");
        }
        string? endpoint = action switch
        {
            "SendEmail" => "ses.v1.send_email",
            "SendTemplatedEmail" => "ses.v1.send_templated_email",
            "SendRawEmail" => "ses.v1.send_raw_email",
            "SendBulkTemplatedEmail" => "ses.v1.send_bulk_templated_email",
            _ => null,
        };
        if (endpoint is null) return;
        c.SetEndpoint(endpoint);
        form ??= c.ReadForm();
        if (form is null) return;

        switch (action)
        {
            case "SendRawEmail":
            {
                var d = new MessageDraft();
                var data = form.Get("RawMessage.Data");
                if (data is null) c.Fail(MailApiUnknownReason.UnknownSendShape);
                else c.ReadRawBase64(d, data);
                foreach (var v in Members(form, "Destinations.member.")) c.AddList(d, d.ApiEnvelope, v.Value);
                if (d.From.Count == 0) c.AddList(d, d.From, form.Get("Source"));
                c.Emit(d);
                break;
            }
            case "SendBulkTemplatedEmail":
            {
                // Destinations.member.N.Destination.ToAddresses.member.M: group by N, in N order.
                var byEntry = new SortedDictionary<int, MessageDraft>();
                const string prefix = "Destinations.member.";
                foreach (var f in form.Fields)
                {
                    if (!f.Name.StartsWith(prefix, StringComparison.Ordinal)) continue;
                    var rest = f.Name.AsSpan(prefix.Length);
                    int dot = rest.IndexOf('.');
                    if (dot <= 0 || !int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out int n)) continue;
                    var tail = rest[(dot + 1)..];
                    List<MailAddress>? into = null;
                    if (!byEntry.TryGetValue(n, out var d))
                    {
                        if (byEntry.Count >= c.Options.MaxMessagesPerRequest) { c.Report(MailApiAnomalies.TooManyMessages); break; }
                        d = byEntry[n] = new MessageDraft();
                    }
                    if (tail.StartsWith("Destination.ToAddresses.member.")) into = d.To;
                    else if (tail.StartsWith("Destination.CcAddresses.member.")) into = d.Cc;
                    else if (tail.StartsWith("Destination.BccAddresses.member.")) into = d.Bcc;
                    if (into is not null) c.AddList(d, into, f.Value);
                }
                foreach (var d in byEntry.Values)
                {
                    c.AddList(d, d.From, form.Get("Source"));
                    foreach (var v in Members(form, "ReplyToAddresses.member.")) c.AddList(d, d.ReplyTo, v.Value);
                    if (!c.Emit(d)) break;
                }
                break;
            }
            default:
            {
                var d = new MessageDraft();
                c.AddList(d, d.From, form.Get("Source"));
                foreach (var v in Members(form, "Destination.ToAddresses.member.")) c.AddList(d, d.To, v.Value);
                foreach (var v in Members(form, "Destination.CcAddresses.member.")) c.AddList(d, d.Cc, v.Value);
                foreach (var v in Members(form, "Destination.BccAddresses.member.")) c.AddList(d, d.Bcc, v.Value);
                foreach (var v in Members(form, "ReplyToAddresses.member.")) c.AddList(d, d.ReplyTo, v.Value);
                d.Subject = form.Get("Message.Subject.Data");
                c.Emit(d);
                break;
            }
        }
    }

    /// <summary>Fields named prefix + N (AWS Query list members), in wire order.</summary>
    private static IEnumerable<FormField> Members(FormFields form, string prefix)
    {
        foreach (var f in form.Fields)
            if (f.Name.StartsWith(prefix, StringComparison.Ordinal)
                && f.Name.AsSpan(prefix.Length).IndexOfAnyExceptInRange('0', '9') < 0 && f.Name.Length > prefix.Length)
                yield return f;
    }
}
