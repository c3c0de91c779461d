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
            Http = HttpFactsOf(r.Method, call.UrlFull, r.Version, r.ResponseStatus),
            Api = ApiFactsOf(d.Endpoint ?? call.Result.Endpoint, d.IsDraft, d.FromRawMessage, d.RawMessageCut),
        };
        return m;
    }

    // The HTTP and API-call facts of a thread's messages mostly repeat (one API, one endpoint, 200): they are immutable
    // records, so the last one serves again while equal.
    [ThreadStatic] private static HttpFacts? t_http;
    [ThreadStatic] private static ApiCallFacts? t_api;

    private static HttpFacts HttpFactsOf(string method, string url, string version, int status)
    {
        if (t_http is { } last && last.Status == status && string.Equals(last.Method, method, StringComparison.Ordinal)
            && string.Equals(last.Url, url, StringComparison.Ordinal) && string.Equals(last.Version, version, StringComparison.Ordinal))
            return last;
        return t_http = new HttpFacts(method, url, version, status);
    }

    private static ApiCallFacts ApiFactsOf(string endpoint, bool draft, bool raw, bool rawCut)
    {
        if (t_api is { } last && last.Draft == draft && last.RawMessage == raw && last.RawMessageTruncated == rawCut
            && string.Equals(last.Endpoint, endpoint, StringComparison.Ordinal))
            return last;
        return t_api = new ApiCallFacts(endpoint, draft, raw, rawCut);
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
