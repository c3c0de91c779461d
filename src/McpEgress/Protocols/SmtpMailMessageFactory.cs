using McpEgress.Diagnostics;
using McpEgress.Mail;
using McpEgress.Protocols.Imf;
using McpEgress.Protocols.Smtp;
using McpEgress.Reassembly;

namespace McpEgress.Protocols;

/// <summary>Turns an SMTP transaction and its RFC 5322 header block into the transport-neutral <see cref="MailMessage"/>.</summary>
internal static class SmtpMailMessageFactory
{
    public static MailMessage Create(SmtpTransaction tx, FlowSession session, string? bannerHost,
        ImfOptions imfOptions, IAnomalySink anomalies)
    {
        var flow = session.Flow;
        string? serverName = session.ServerName;
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
        };
        if (session.TlsInfo is { } tls) TlsMessageFields.Add(message.Extra, tls);
        if (tx.HeadersTruncated) message.Extra["mcp_egress.smtp.headers_truncated"] = true;
        if (tx.Incomplete) message.Extra["mcp_egress.smtp.incomplete"] = true;
        return message;
    }
}
