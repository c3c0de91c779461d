using System.Text;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Pipeline;

/// <summary>
/// A limit must never hide a recipient: each case carries phan@giftshop.club past one limit, through the whole
/// pipeline, and the message must still come out, marked truncated, with the denied-domain alert and a limit-exceeded
/// alert that names the limit.
/// </summary>
public sealed class LimitsNeverHideRecipientsTests
{
    private const string Banner = "220 mx.example ESMTP\r\n";
    private const string Ehlo = "250-mx.example\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 8BITMIME\r\n";

    private static (ReplayHarness H, string Ndjson) Replay(ConversationPcap conversation)
    {
        var path = conversation.WriteTemp();
        try
        {
            var h = new ReplayHarness().Replay(path);
            Assert.Empty(h.Errors);
            Assert.Equal(0, h.Pipeline.Stats.InternalErrors);
            return (h, h.Ndjson);
        }
        finally { File.Delete(path); }
    }

    private static string Alerts(ReplayHarness h, int message) =>
        string.Join(",", h.Results[message].Alerts.Select(a => $"{a.RuleId}:{a.Address.Address}").Order(StringComparer.Ordinal));

    [Fact]
    public void RcptWithAnOverlongLocalPart_KeepsItsDomain()
    {
        string local = new('a', 1100);
        var (h, ndjson) = Replay(new ConversationPcap()
            .Server(Banner).Client("EHLO c\r\n").Server(Ehlo)
            .Client("MAIL FROM:<bot@corp.example>\r\n").Server("250 OK\r\n")
            .Client("RCPT TO:<x@customer.example>\r\n").Server("250 OK\r\n")
            .Client($"RCPT TO:<{local}@giftshop.club>\r\n").Server("250 OK\r\n")
            .Client("DATA\r\n").Server("354 go\r\n")
            .Client("From: bot@corp.example\r\nTo: x@customer.example\r\nSubject: s\r\n\r\nhi\r\n.\r\n").Server("250 queued\r\n")
            .Client("QUIT\r\n").Server("221 bye\r\n"));

        var (m, alerts) = Assert.Single(h.Results);
        var shortened = m.Envelope!.RcptTo[1].Address;
        Assert.EndsWith("…@giftshop.club", shortened, StringComparison.Ordinal);
        Assert.True(shortened.Length <= 1024);
        var t = Assert.Single(m.Truncations);
        Assert.Equal("limits.smtp.max_address_chars", t.Limit);
        Assert.Contains(alerts, a => a.RuleId == "denied-domain" && a.Domain == "giftshop.club");
        Assert.Contains(alerts, a => a.RuleId == "hidden-foreign-domain" && a.Domain == "giftshop.club");
        Assert.Contains(alerts, a => a.RuleId == "limit-exceeded" && a.Message.Contains("limits.smtp.max_address_chars", StringComparison.Ordinal));
        Assert.Contains("\"truncated\":[{\"limit\":\"limits.smtp.max_address_chars\"", ndjson, StringComparison.Ordinal);
    }

    [Fact]
    public void BdatSizeWithFortyDigits_IsAChunkLikeAnyOther()
    {
        // RFC 3030 §2: chunk-size = 1*DIGIT; Postfix accepts leading zeros.
        const string content = "From: bot@corp.example\r\nTo: x@customer.example\r\nBcc: phan@giftshop.club\r\nSubject: b\r\n\r\nhi\r\n";
        string size = content.Length.ToString().PadLeft(40, '0');
        var (h, _) = Replay(new ConversationPcap()
            .Server(Banner).Client("EHLO c\r\n").Server(Ehlo)
            .Client("MAIL FROM:<bot@corp.example>\r\n").Server("250 OK\r\n")
            .Client("RCPT TO:<x@customer.example>\r\n").Server("250 OK\r\n")
            .Client("RCPT TO:<phan@giftshop.club>\r\n").Server("250 OK\r\n")
            .Client($"BDAT {size} LAST\r\n" + content).Server("250 queued\r\n")
            .Client("QUIT\r\n").Server("221 bye\r\n"));

        var (m, _) = Assert.Single(h.Results);
        Assert.Equal("b", m.Subject);
        Assert.Equal("BDAT", m.Envelope!.DataCommand);
        Assert.Equal(250, m.Envelope.DataReplyCode);
        Assert.Equal("denied-domain:phan@giftshop.club,hidden-foreign-domain:phan@giftshop.club,new-hidden-domain:phan@giftshop.club", Alerts(h, 0));
        Assert.Empty(m.Truncations);
    }

    [Fact]
    public void DeniedRecipientAfterHundredThousandRcpts_StillAlerts()
    {
        var c = new ConversationPcap()
            .Server(Banner).Client("EHLO c\r\n").Server(Ehlo)
            .Client("MAIL FROM:<bot@corp.example>\r\n").Server("250 OK\r\n");
        const int benign = 100_000;
        var batch = new StringBuilder();
        var replies = new StringBuilder();
        for (int i = 1; i <= benign + 1; i++)
        {
            batch.Append(i <= benign ? $"RCPT TO:<user{i}@customer.example>\r\n" : "RCPT TO:<phan@giftshop.club>\r\n");
            replies.Append("250 OK\r\n");
            if (i % 100 == 0 || i == benign + 1)
            {
                c.Client(batch.ToString()).Server(replies.ToString());
                batch.Clear(); replies.Clear();
            }
        }
        c.Client("DATA\r\n").Server("354 go\r\n")
            .Client("From: bot@corp.example\r\nTo: user1@customer.example\r\nSubject: many\r\n\r\nhi\r\n.\r\n").Server("250 queued\r\n");
        var (h, ndjson) = Replay(c);

        var (m, alerts) = Assert.Single(h.Results);
        Assert.Equal(1000, m.Envelope!.RcptTo.Count); // the default limit kept the first 1000
        var t = Assert.Single(m.Truncations);
        Assert.Equal("limits.smtp.max_recipients_per_transaction", t.Limit);
        Assert.Equal(benign + 1 - 1000, t.ItemsCut);
        Assert.Contains(m.CutRecipients, d => d.Domain == "giftshop.club" && d.Count == 1 && d.MayBeHidden);
        Assert.Contains(alerts, a => a.RuleId == "denied-domain" && a.Domain == "giftshop.club");
        Assert.Contains(alerts, a => a.RuleId == "hidden-foreign-domain" && a.Domain == "giftshop.club");
        Assert.Contains(alerts, a => a.RuleId == "limit-exceeded");
        Assert.Contains("\"giftshop.club\"", ndjson, StringComparison.Ordinal);
    }

    [Fact]
    public void DeniedRecipientInTransaction20001_StillAlerts()
    {
        var c = new ConversationPcap().Server(Banner).Client("EHLO c\r\n").Server(Ehlo);
        const int transactions = 20_001;
        var client = new StringBuilder();
        var server = new StringBuilder();
        for (int i = 1; i <= transactions; i++)
        {
            string rcpt = i == transactions ? "phan@giftshop.club" : "x@customer.example";
            client.Append($"MAIL FROM:<bot@corp.example>\r\nRCPT TO:<{rcpt}>\r\nDATA\r\n");
            server.Append("250 OK\r\n250 OK\r\n354 go\r\n");
            c.Client(client.ToString()).Server(server.ToString());
            client.Clear(); server.Clear();
            c.Client($"From: bot@corp.example\r\nTo: x@customer.example\r\nSubject: n{i}\r\n\r\nhi\r\n.\r\n").Server("250 queued\r\n");
        }
        var (h, _) = Replay(c);

        Assert.Equal(transactions, h.Results.Count);
        var (m, alerts) = h.Results[^1];
        Assert.Equal("phan@giftshop.club", Assert.Single(m.Envelope!.RcptTo).Address);
        Assert.Equal("limits.smtp.max_transactions_per_session", Assert.Single(m.Truncations).Limit);
        Assert.Null(m.Subject); // headers beyond the limit are not parsed
        Assert.Contains(alerts, a => a.RuleId == "denied-domain" && a.Address.Address == "phan@giftshop.club");
        Assert.Contains(alerts, a => a.RuleId == "limit-exceeded");
        Assert.Empty(h.Results[9_999].Message.Truncations); // transaction 10,000 is the last parsed whole
    }

    [Fact]
    public void DeniedBccAsTheLastOfHundredThousandInOneApiCall_StillAlerts()
    {
        var bcc = string.Join(",", Enumerable.Range(1, 99_999).Select(i => $$"""{"email":"b{{i}}@customer.example"}""")
            .Append("""{"email":"phan@giftshop.club"}"""));
        var json = $$"""{"personalizations":[{"to":[{"email":"x@customer.example"}],"bcc":[{{bcc}}]}],"from":{"email":"app@corp.example"},"subject":"s","content":[{"type":"text/plain","value":"t"}]}""";
        var r = McpEgress.Tests.MailApis.Api.Run(McpEgress.Tests.MailApis.Api.Json("api.sendgrid.com", "/v3/mail/send", json));
        var m = Assert.Single(r.Messages);
        var t = Assert.Single(m.Truncations);
        Assert.Equal("limits.mail_api.max_recipients_per_message", t.Limit);
        Assert.Equal(100_000 + 2 - McpEgress.Protocols.MailApis.MailApiOptions.Default.MaxRecipientsPerMessage, t.ItemsCut);
        Assert.Contains(m.CutRecipients, d => d.Domain == "giftshop.club" && d.MayBeHidden);

        var alerts = new McpEgress.Detection.DetectionEngine(McpEgress.Config.McpEgressConfig.Default.Detection).Evaluate(m);
        Assert.Contains(alerts, a => a.RuleId == "denied-domain" && a.Domain == "giftshop.club");
        Assert.Contains(alerts, a => a.RuleId == "hidden-foreign-domain" && a.Domain == "giftshop.club");
        Assert.Contains(alerts, a => a.RuleId == "limit-exceeded");
    }

    [Fact]
    public void DeniedBccAsTheLastOfHundredThousandInOnePostmarkCall_StillAlerts()
    {
        // Postmark's Bcc is one comma-separated string: the per-field address limit (limits.imf) cuts it first.
        var bcc = string.Join(",", Enumerable.Range(1, 99_999).Select(i => $"b{i}@customer.example").Append("phan@giftshop.club"));
        var json = $$"""{"From":"app@corp.example","To":"x@customer.example","Bcc":"{{bcc}}","Subject":"s","TextBody":"t"}""";
        var r = McpEgress.Tests.MailApis.Api.Run(McpEgress.Tests.MailApis.Api.Json("api.postmarkapp.com", "/email", json));
        var m = Assert.Single(r.Messages);
        var t = Assert.Single(m.Truncations);
        Assert.Equal("limits.imf.max_addresses_per_field", t.Limit);
        Assert.Equal(100_000 - McpEgress.Protocols.Imf.ImfOptions.Default.MaxAddressesPerField, t.ItemsCut);
        Assert.Contains(m.CutRecipients, d => d.Domain == "giftshop.club" && d.Count == 1 && d.MayBeHidden);

        var alerts = new McpEgress.Detection.DetectionEngine(McpEgress.Config.McpEgressConfig.Default.Detection).Evaluate(m);
        Assert.Contains(alerts, a => a.RuleId == "denied-domain" && a.Domain == "giftshop.club");
        Assert.Contains(alerts, a => a.RuleId == "hidden-foreign-domain" && a.Domain == "giftshop.club");
        Assert.Contains(alerts, a => a.RuleId == "limit-exceeded" && a.Message.Contains("limits.imf.max_addresses_per_field", StringComparison.Ordinal));
    }

    [Fact]
    public void DeniedBccHeaderAddressPastTheFieldLimit_StillAlerts()
    {
        var bcc = string.Join(", ", Enumerable.Range(1, 1_500).Select(i => $"b{i}@customer.example").Append("phan@giftshop.club"));
        var (h, _) = Replay(new ConversationPcap()
            .Server(Banner).Client("EHLO c\r\n").Server(Ehlo)
            .Client("MAIL FROM:<bot@corp.example>\r\n").Server("250 OK\r\n")
            .Client("RCPT TO:<x@customer.example>\r\n").Server("250 OK\r\n")
            .Client("DATA\r\n").Server("354 go\r\n")
            .Client($"From: bot@corp.example\r\nTo: x@customer.example\r\nBcc: {bcc}\r\nSubject: s\r\n\r\nhi\r\n.\r\n").Server("250 queued\r\n"));

        var (m, alerts) = Assert.Single(h.Results);
        Assert.Equal(1000, m.Bcc.Count);
        Assert.Equal("limits.imf.max_addresses_per_field", Assert.Single(m.Truncations).Limit);
        Assert.Contains(alerts, a => a.RuleId == "denied-domain" && a.Domain == "giftshop.club");
        Assert.Contains(alerts, a => a.RuleId == "hidden-foreign-domain" && a.Domain == "giftshop.club");
    }

    [Fact]
    public void BccAfterHeaderPaddingPastTheByteBudget_StillAlerts()
    {
        // 300 KB of padding pushes the Bcc past limits.smtp.max_header_bytes (256 KiB): the block is cut, but the
        // address fields after the cut still give their domains, folded lines included; a Message-ID's @host does not.
        var pad = new System.Text.StringBuilder();
        for (int i = 0; i < 3000; i++) pad.Append("X-Pad: ").Append('a', 92).Append("\r\n");
        var (h, _) = Replay(new ConversationPcap()
            .Server(Banner).Client("EHLO c\r\n").Server(Ehlo)
            .Client("MAIL FROM:<bot@corp.example>\r\n").Server("250 OK\r\n")
            .Client("RCPT TO:<x@customer.example>\r\n").Server("250 OK\r\n")
            .Client("DATA\r\n").Server("354 go\r\n")
            .Client("From: bot@corp.example\r\nTo: x@customer.example\r\n" + pad +
                    "Message-ID: <42@mailer.other.example>\r\nBcc: Phan <phan@giftshop.club>,\r\n\tspy@leak.example\r\nSubject: s\r\n\r\nhi\r\n.\r\n")
            .Server("250 queued\r\n"));

        var (m, alerts) = Assert.Single(h.Results);
        Assert.Equal("limits.smtp.max_header_bytes", Assert.Single(m.Truncations).Limit);
        Assert.Equal(["giftshop.club", "leak.example"], m.CutRecipients.Select(c => c.Domain).Order(StringComparer.Ordinal));
        Assert.All(m.CutRecipients, c => Assert.True(c.MayBeHidden));
        Assert.Contains(alerts, a => a.RuleId == "denied-domain" && a.Domain == "giftshop.club");
        Assert.Contains(alerts, a => a.RuleId == "hidden-foreign-domain" && a.Matches.Any(x => x.Domain == "leak.example"));
        Assert.Contains(alerts, a => a.RuleId == "limit-exceeded");
    }
}
