using System.Text.Json;
using McpEgress.Mail;

namespace McpEgress.Protocols.MailApis;

/// <summary>
/// SparkPost POST /api/v1/transmissions. Every copy is a recipient; a recipient's `header_to` is the To header its copy
/// shows (the Node client gives Cc and Bcc people header_to = the real To list), and Cc people also appear in
/// content.headers.CC. So: To = recipients without header_to plus the parsed header_to lists, Cc = headers.CC, and all
/// recipients form the API envelope; the recipients neither header shows are the Bcc (gosparkpost examples README).
/// Raw content.email_rfc822: headers from the text, recipients[] still the envelope.
/// </summary>
internal static class SparkPostPayload
{
    public static void Extract(MailApiCall c)
    {
        if (!c.IsPost || !(c.PathIs("/api/v1/transmissions") || c.PathIs("/api/labs/transmissions"))) return;
        c.SetEndpoint("sparkpost.transmissions");
        if (!c.TryJson(out var root) || !JsonRead.IsObject(root)) return;
        if (!JsonRead.TryProp(root, "recipients", out var recipients) || recipients.ValueKind != JsonValueKind.Array)
        {
            // {list_id}: a stored recipient list, not in the request.
            if (recipients.ValueKind == JsonValueKind.Object && JsonRead.Has(recipients, "list_id"))
                c.Fail(MailApiUnknownReason.NoRecipientsTemplateDraft, anomaly: false);
            return;
        }
        JsonRead.TryProp(root, "content", out var content);
        var d = new MessageDraft();
        var raw = JsonRead.Str(content, "email_rfc822");
        if (raw is not null) c.ReadRawText(d, raw);

        var visibleTo = new List<MailAddress>();
        foreach (var r in recipients.EnumerateArray())
        {
            if (!JsonRead.TryProp(r, "address", out var address))
            {
                c.Report(MailApiAnomalies.OddAddressValue);
                continue;
            }
            int before = d.ApiEnvelope.Count;
            c.AddJson(d, d.ApiEnvelope, address);
            var headerTo = address.ValueKind == JsonValueKind.Object ? JsonRead.Str(address, "header_to") : null;
            if (raw is not null) continue;
            if (string.IsNullOrWhiteSpace(headerTo))
                for (int i = before; i < d.ApiEnvelope.Count; i++) visibleTo.Add(d.ApiEnvelope[i]);
            else
                c.AddList(d, visibleTo, headerTo);
        }
        if (raw is null)
        {
            var seen = new HashSet<string>(MailAddress.AddressComparer);
            foreach (var a in visibleTo)
                if (seen.Add(a.Address)) d.To.Add(a);
            c.AddProp(d, d.From, content, "from");
            if (JsonRead.TryProp(content, "headers", out var headers)) c.AddProp(d, d.Cc, headers, "CC");
            c.AddProp(d, d.ReplyTo, content, "reply_to");
            d.Subject = JsonRead.Str(content, "subject");
            // SparkPost has no bcc field: a Bcc is a recipient that neither the To nor the CC header shows (mail-apis.md
            // §2), so it is reported as the message's Bcc, not only as an envelope-only recipient.
            var shown = new HashSet<string>(d.To.Concat(d.Cc).Select(a => a.Address), MailAddress.AddressComparer);
            foreach (var a in d.ApiEnvelope)
                if (shown.Add(a.Address)) d.Bcc.Add(a);
        }
        c.Emit(d);
    }
}
