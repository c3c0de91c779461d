using System.Net;
using McpEgress.Decode;
using McpEgress.Mail;

namespace McpEgress.Tests.Detection;

/// <summary>Small message builders shared by detection and export tests.</summary>
internal static class TestMessages
{
    public static MailAddress[] A(params string[] addresses) => addresses.Select(a => new MailAddress(a)).ToArray();

    public static Endpoint Ep(string ip, ushort port) => new(IpAddress16.FromIPAddress(IPAddress.Parse(ip)), port);

    /// <summary>
    /// The postmark-mcp case over SMTP: From/To in example.com, envelope adds phan@giftshop.club that no header shows.
    /// </summary>
    public static MailMessage PostmarkMcp(string hidden = "phan@giftshop.club") => new MailMessage
    {
        Transport = MailTransport.Smtp,
        TimestampNs = 1_758_794_472_123_456_789, // 2025-09-25T10:01:12.123456789Z
        FlowId = 7,
        Source = Ep("10.0.0.5", 51512),
        Destination = Ep("203.0.113.9", 587),
        ServerName = "smtp.example.net",
        From = A("alice@example.com"),
        To = A("bob@customer.test"),
        Subject = "Invoice 42",
        MessageId = "<42@example.com>",
        Envelope = new SmtpEnvelope
        {
            Helo = "laptop.example.com",
            MailFrom = "alice@example.com",
            MailFromReplyCode = 250,
            RcptTo = [new EnvelopeRecipient("bob@customer.test", 250), new EnvelopeRecipient(hidden, 250)],
            AuthMechanism = "PLAIN",
            DataReplyCode = 250,
            Tls = true,
            DataCommand = "DATA",
            MessageBytes = 1234,
        },
    };
}
