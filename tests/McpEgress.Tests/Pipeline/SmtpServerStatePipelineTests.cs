using McpEgress.Diagnostics;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Pipeline;

/// <summary>
/// Issue 12 items 1-3 through the whole pipeline (pcap → reassembly → routing → SMTP → message event): the event names
/// the sender the server accepted, and a STARTTLS the client does not follow with TLS still gives its message.
/// </summary>
public sealed class SmtpServerStatePipelineTests
{
    private const string Banner = "220 mx.example ESMTP\r\n";
    private const string Ehlo = "250-mx.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n";
    private const string Content = "From: bot@corp.example\r\nTo: x@customer.example\r\nSubject: s\r\n\r\nhi\r\n.\r\n";

    private static ReplayHarness Replay(ConversationPcap conversation)
    {
        var path = conversation.WriteTemp();
        try
        {
            var h = new ReplayHarness().Replay(path);
            Assert.Empty(h.Errors);
            Assert.Equal(0, h.Pipeline.Stats.InternalErrors);
            return h;
        }
        finally { File.Delete(path); }
    }

    private static string Anomalies(ReplayHarness h, string stage) =>
        string.Join(",", h.Pipeline.Anomalies.Snapshot().Where(kv => kv.Key.Stage == stage).Select(kv => $"{kv.Key.Name}={kv.Value}"));

    [Fact]
    public void NestedMailRefused_EventNamesTheAcceptedSender()
    {
        var h = Replay(new ConversationPcap()
            .Server(Banner).Client("EHLO c\r\n").Server(Ehlo)
            .Client("MAIL FROM:<bot@corp.example>\r\nRCPT TO:<x@customer.example>\r\nMAIL FROM:<ceo@bank.example>\r\nDATA\r\n")
            .Server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n503 5.5.1 Error: nested MAIL command\r\n354 go\r\n")
            .Client(Content).Server("250 queued\r\n")
            .Client("QUIT\r\n").Server("221 bye\r\n"));

        var (m, _) = Assert.Single(h.Results);
        Assert.Equal("bot@corp.example", m.Envelope!.MailFrom);
        Assert.Equal(250, m.Envelope.MailFromReplyCode);
        Assert.Contains("\"mail_from\":\"bot@corp.example\"", h.Ndjson, StringComparison.Ordinal);
        Assert.DoesNotContain("ceo@bank.example", h.Ndjson, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusedEhloMidTransaction_MessageKeepsItsSender()
    {
        var h = Replay(new ConversationPcap()
            .Server(Banner).Client("EHLO c\r\n").Server(Ehlo)
            .Client("MAIL FROM:<bot@corp.example>\r\n").Server("250 Ok\r\n")
            .Client("RCPT TO:<x@customer.example>\r\n").Server("250 Ok\r\n")
            .Client("EHLO bad..name\r\n").Server("501 5.5.2 invalid domain\r\n")
            .Client("DATA\r\n").Server("354 go\r\n")
            .Client(Content).Server("250 queued\r\n"));

        var (m, _) = Assert.Single(h.Results);
        Assert.Equal("bot@corp.example", m.Envelope!.MailFrom);
        Assert.Equal("c", m.Envelope.Helo);
        Assert.Equal("x@customer.example", Assert.Single(m.Envelope.RcptTo).Address);
    }

    [Fact]
    public void StartTlsAcceptedThenCleartext_MessageComesOutAndNoTlsIsTried()
    {
        var h = Replay(new ConversationPcap()
            .Server(Banner).Client("EHLO c\r\n").Server(Ehlo)
            .Client("STARTTLS\r\n").Server("220 2.0.0 Ready to start TLS\r\n")
            .Client("EHLO c\r\n").Server("250 mx.example\r\n")
            .Client("MAIL FROM:<bot@corp.example>\r\n").Server("250 Ok\r\n")
            .Client("RCPT TO:<x@customer.example>\r\n").Server("250 Ok\r\n")
            .Client("DATA\r\n").Server("354 go\r\n")
            .Client(Content).Server("250 queued\r\n")
            .Client("QUIT\r\n").Server("221 bye\r\n"));

        var (m, _) = Assert.Single(h.Results);
        Assert.Equal("bot@corp.example", m.Envelope!.MailFrom);
        Assert.False(m.Envelope.Tls);
        Assert.Equal("s", m.Subject);
        Assert.Equal("", Anomalies(h, AnomalyStage.Tls));
        Assert.Equal("starttls_not_followed_by_tls=1", Anomalies(h, AnomalyStage.Smtp));
        Assert.Empty(h.TlsSessions);
    }
}
