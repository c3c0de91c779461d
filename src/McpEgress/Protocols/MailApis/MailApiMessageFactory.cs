using McpEgress.Mail;

namespace McpEgress.Protocols.MailApis;

/// <summary>The one place a mail-API <see cref="MailMessage"/> is built: flow endpoints, HTTP and API-call facts, hidden recipients.</summary>
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
            From = d.FromOrEmpty,
            Sender = d.Sender,
            ReplyTo = d.ReplyToOrEmpty,
            To = d.ToOrEmpty,
            Cc = d.CcOrEmpty,
            Bcc = d.BccOrEmpty,
            ResentTo = d.ResentToOrEmpty,
            ResentCc = d.ResentCcOrEmpty,
            ResentBcc = d.ResentBccOrEmpty,
            ApiEnvelope = d.ApiEnvelopeOrEmpty,
            Subject = d.Subject,
            MessageId = d.MessageId,
            Truncations = Truncations(d),
            CutRecipients = Mail.CutRecipients.Merge(d.ImfCutOrNull, d.CutOrNull),
            Http = new HttpFacts(r.Method, call.UrlFull, r.Version, r.ResponseStatus),
            Api = new ApiCallFacts(d.Endpoint ?? call.Result.Endpoint, d.IsDraft, d.FromRawMessage, d.RawMessageCut),
        };
        return m;
    }

    private static IReadOnlyList<MessageTruncation> Truncations(MessageDraft d)
    {
        List<MessageTruncation>? t = null;
        if (d.ImfCutOrNull is { } imf)
            (t ??= []).Add(new("limits.imf.max_addresses_per_field", imf.Count, imf.Describe("addresses in one field not kept", "addresses")));
        if (d.CutOrNull is { } cut)
            (t ??= []).Add(new("limits.mail_api.max_recipients_per_message", cut.Count, cut.Describe("addresses not kept", "addresses")));
        return t is null ? Array.Empty<MessageTruncation>() : t; // not "[]": a new empty List
    }
}
