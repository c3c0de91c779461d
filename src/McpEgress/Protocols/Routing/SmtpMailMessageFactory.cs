using McpEgress.Diagnostics;
using McpEgress.Mail;
using McpEgress.Protocols.Imf;
using McpEgress.Protocols.Smtp;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Routing;

/// <summary>Turns an SMTP transaction and its RFC 5322 header block into the transport-neutral <see cref="MailMessage"/>.</summary>
internal static class SmtpMailMessageFactory
{
    public static MailMessage Create(SmtpTransaction tx, FlowSession session, string? bannerHost,
        ImfOptions imfOptions, IAnomalySink anomalies)
    {
        var flow = session.Flow;
        string? serverName = session.ServerName ?? session.Tunnel?.TargetHost;
        var h = MessageHeaders.Parse(tx.HeaderBlock, imfOptions, anomalies);
        var message = new MailMessage
        {
            Transport = MailTransport.Smtp,
            TimestampNs = tx.StartTimestampNs,
            FlowId = flow.Id,
            Source = flow.Key.Client,
            Destination = flow.Key.Server,
            ServerName = serverName ?? bannerHost,
            Envelope = new SmtpEnvelope
            {
                Helo = tx.Helo,
                MailFrom = tx.MailFrom,
                MailFromReplyCode = tx.MailFromReplyCode,
                RcptTo = tx.Recipients,
                AuthMechanism = tx.AuthMechanism,
                DataReplyCode = tx.DataReplyCode,
                Tls = tx.InsideTls,
                DataCommand = tx.DataCommand,
                MessageBytes = tx.MessageBytes,
                HeadersTruncated = tx.HeadersTruncated,
                Incomplete = tx.Incomplete,
            },
            From = h.From,
            Sender = h.Sender,
            ReplyTo = h.ReplyTo,
            To = h.To,
            Cc = h.Cc,
            Bcc = h.Bcc,
            ResentTo = h.ResentTo,
            ResentCc = h.ResentCc,
            ResentBcc = h.ResentBcc,
            Subject = h.Subject,
            MessageId = h.MessageId,
            Truncations = Truncations(tx, h),
            CutRecipients = Mail.CutRecipients.Merge(tx.CutRecipients, h.CutAddresses),
            Tls = TlsMessageFacts.From(session.TlsInfo, ref session.LastTlsFacts),
        };
        return message;
    }

    /// <summary>Every SMTP limit that cut this transaction, by its config key (limits.smtp.*).</summary>

    private static IReadOnlyList<MessageTruncation> Truncations(SmtpTransaction tx, MessageHeaders h)
    {
        List<MessageTruncation>? t = null;
        if (h.CutAddresses is { } cutHeaders)
            (t ??= []).Add(new("limits.imf.max_addresses_per_field", cutHeaders.Count, cutHeaders.Describe("header addresses not kept", "addresses")));
        if (tx.DroppedRecipients > 0)
            (t ??= []).Add(new("limits.smtp.max_recipients_per_transaction", tx.DroppedRecipients,
                tx.CutRecipients?.Describe("recipients not kept", "recipients") ?? "recipients not kept; their domains are listed"));
        if (tx.ShortenedAddresses > 0)
            (t ??= []).Add(new("limits.smtp.max_address_chars", tx.ShortenedAddresses, "envelope addresses shortened, domain kept"));
        if (tx.HeadersNotParsed)
            (t ??= []).Add(new("limits.smtp.max_transactions_per_session", 1, "header block not parsed; envelope only"));
        if (tx.HeadersTruncated)
            (t ??= []).Add(new("limits.smtp.max_header_bytes", 1, "header block cut; only the domains of To/Cc/Bcc/Resent-* addresses after the cut are kept"));
        return t is null ? Array.Empty<MessageTruncation>() : t; // not "[]": a new empty List
    }
}
