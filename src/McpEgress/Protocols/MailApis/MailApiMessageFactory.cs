using McpEgress.Mail;

namespace McpEgress.Protocols.MailApis;

/// <summary>The one place a mail-API <see cref="MailMessage"/> is built: flow endpoints, HTTP facts, hidden recipients.</summary>
internal static class MailApiMessageFactory
{
    public static MailMessage Create(MailApiCall call, MessageDraft d)
    {
        var r = call.Request;
        var ctx = call.Context;
        var m = new MailMessage
        {
            Transport = MailTransport.Http,
            Provider = call.Result.Provider,
            TimestampNs = r.StartTimestampNs,
            FlowId = ctx?.FlowId ?? 0,
            Source = ctx?.Source ?? default,
            Destination = ctx?.Destination ?? default,
            ServerName = ctx?.ServerName ?? call.ServerName ?? call.Host,
            From = d.From.ToArray(),
            Sender = d.Sender,
            ReplyTo = d.ReplyTo.ToArray(),
            To = d.To.ToArray(),
            Cc = d.Cc.ToArray(),
            Bcc = d.Bcc.ToArray(),
            ResentTo = d.ResentTo.ToArray(),
            ResentCc = d.ResentCc.ToArray(),
            ResentBcc = d.ResentBcc.ToArray(),
            ApiEnvelope = d.ApiEnvelope.ToArray(),
            Subject = d.Subject,
            MessageId = d.MessageId,
            Truncations = d.CutOrNull is not { } cut ? [] :
            [
                new MessageTruncation("limits.mail_api.max_recipients_per_message", cut.Count,
                    cut.DomainsNotKept > 0
                        ? $"addresses not kept; their domains are listed up to {cut.MaxDomains} distinct ones ({cut.DomainsNotKept} addresses beyond)"
                        : "addresses not kept; their domains are listed"),
            ],
            CutRecipients = d.CutOrNull?.ToList() ?? [],
        };
        m.Extra["http.request.method"] = r.Method;
        m.Extra["url.full"] = call.UrlFull;
        m.Extra["http.version"] = r.Version.StartsWith("HTTP/", StringComparison.OrdinalIgnoreCase) ? r.Version[5..] : r.Version;
        if (r.ResponseStatus > 0) m.Extra["http.response.status_code"] = r.ResponseStatus;
        m.Extra["mcp_egress.api.endpoint"] = d.Endpoint ?? call.Result.Endpoint;
        if (d.IsDraft) m.Extra["mcp_egress.api.draft"] = true;
        if (d.FromRawMessage) m.Extra["mcp_egress.api.raw_message"] = true;
        if (d.RawMessageCut) m.Extra["mcp_egress.api.raw_message_truncated"] = true;
        return m;
    }
}
