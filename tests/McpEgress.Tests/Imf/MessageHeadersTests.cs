using System.Text;
using McpEgress.Mail;
using McpEgress.Protocols.Imf;

namespace McpEgress.Tests.Imf;

public class MessageHeadersTests
{
    private static MessageHeaders Parse(string block, TestAnomalies? a = null) =>
        MessageHeaders.Parse(Encoding.UTF8.GetBytes(block), null, a);

    [Fact]
    public void PostmarkMcpMessage()
    {
        // What the malicious postmark-mcp sent: a normal message plus a Bcc field.
        var m = Parse(
            "From: Agent <agent@corp.example>\r\n" +
            "To: \"Customer, Jane\" <jane@client.example>\r\n" +
            "Bcc: phan@giftshop.club\r\n" +
            "Subject: =?utf-8?Q?Invoice_=E2=84=96_42?=\r\n" +
            "Message-ID: <abc@corp.example>\r\n" +
            "Date: Mon, 29 Sep 2025 10:00:00 +0000\r\n" +
            "\r\n" +
            "Hello\r\n");
        Assert.Equal([new MailAddress("agent@corp.example", "Agent")], m.From);
        Assert.Equal([new MailAddress("jane@client.example", "Customer, Jane")], m.To);
        Assert.Equal([new MailAddress("phan@giftshop.club")], m.Bcc);
        Assert.True(m.HasBcc);
        Assert.Equal("Invoice № 42", m.Subject);
        Assert.Equal("<abc@corp.example>", m.MessageId);
        Assert.Equal("Mon, 29 Sep 2025 10:00:00 +0000", m.Date);
        Assert.Equal(6, m.FieldCount);
        Assert.True(m.EndOfHeaders);
    }

    [Fact]
    public void RepeatedAddressFieldsAreConcatenated()
    {
        var a = new TestAnomalies();
        var m = Parse("To: a@x.example\r\nCc: c@x.example\r\nTO: b@y.example\r\ncc: d@y.example\r\n", a);
        Assert.Equal(["a@x.example", "b@y.example"], m.To.Select(x => x.Address));
        Assert.Equal(["c@x.example", "d@y.example"], m.Cc.Select(x => x.Address));
        Assert.Equal(["duplicate_header_field", "duplicate_header_field"], a.Names);
    }

    [Fact]
    public void EmptyBccIsPresentButEmpty()
    {
        var m = Parse("To: a@x.example\r\nBcc:\r\n\r\n");
        Assert.True(m.HasBcc);
        Assert.Empty(m.Bcc);
        var none = Parse("To: a@x.example\r\n\r\n");
        Assert.False(none.HasBcc);
        Assert.Empty(none.Bcc);
        Assert.Null(none.Subject);
        Assert.Null(none.Sender);
    }

    [Fact]
    public void AllAddressFields()
    {
        var m = Parse(
            "From: f1@x.example, f2@x.example\r\nSender: s@x.example\r\nReply-To: r@x.example\r\n" +
            "Resent-From: rf@x.example\r\nResent-To: rt@x.example\r\nResent-Cc: rc@x.example\r\n" +
            "Resent-Bcc: rb@x.example\r\nResent-Bcc: rb2@x.example\r\n\r\n");
        Assert.Equal(2, m.From.Count);
        Assert.Equal(new MailAddress("s@x.example"), m.Sender);
        Assert.Equal("r@x.example", Assert.Single(m.ReplyTo).Address);
        Assert.Equal("rf@x.example", Assert.Single(m.ResentFrom).Address);
        Assert.Equal("rt@x.example", Assert.Single(m.ResentTo).Address);
        Assert.Equal("rc@x.example", Assert.Single(m.ResentCc).Address);
        Assert.Equal(["rb@x.example", "rb2@x.example"], m.ResentBcc.Select(x => x.Address));
    }

    [Fact]
    public void FoldedToWithGroupAndComment()
    {
        var m = Parse("To: team: a@x.example,\r\n (lead, <no@no.example>) B <b@y.example>;,\r\n c@z.example\r\n\r\n");
        Assert.Equal(["a@x.example", "b@y.example", "c@z.example"], m.To.Select(x => x.Address));
    }

    [Fact]
    public void CapAppliesAcrossRepeatedFields()
    {
        var a = new TestAnomalies();
        var o = new ImfOptions { MaxAddressesPerField = 3 };
        var m = MessageHeaders.Parse("To: a@x, b@x\r\nTo: c@x, d@x\r\nTo: e@x\r\n"u8, o, a);
        Assert.Equal(["a@x", "b@x", "c@x"], m.To.Select(x => x.Address));
        Assert.Contains("too_many_addresses", a.Names);
    }

    [Fact]
    public void PaddingDoesNotHideAddressFields()
    {
        // Seen on third-party captures: 600 Received and 400 To lines fill the 1,000-field cap; the Cc, From and
        // Subject that follow must still be collected. Other fields after the cap (Date) are skipped and counted.
        var sb = new StringBuilder();
        for (int i = 0; i < 600; i++) sb.Append($"Received: from relay{i}.example by mx.example; Mon, 1 Jan 2024 00:00:00 +0000\r\n");
        for (int i = 0; i < 400; i++) sb.Append($"To: user{i}@customer.example\r\n");
        sb.Append("Cc: phan@giftshop.club\r\nFrom: Agent <agent@corp.example>\r\nSubject: Invoice 42\r\n");
        sb.Append("Message-ID: <42@corp.example>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n");
        var a = new TestAnomalies();
        var m = Parse(sb.ToString(), a);
        Assert.Equal(400, m.To.Count);
        Assert.Equal("user399@customer.example", m.To[^1].Address);
        Assert.Equal([new MailAddress("phan@giftshop.club")], m.Cc);
        Assert.Equal([new MailAddress("agent@corp.example", "Agent")], m.From);
        Assert.Equal("Invoice 42", m.Subject);
        Assert.Equal("<42@corp.example>", m.MessageId);
        Assert.Null(m.Date);
        Assert.Equal(1005, m.FieldCount);
        Assert.Equal(1, a.Names.Count(n => n == "too_many_header_fields"));
        Assert.Equal(399, a.Names.Count(n => n == "duplicate_header_field"));
    }

    [Fact]
    public void FirstSubjectWins()
    {
        var a = new TestAnomalies();
        Assert.Equal("one", Parse("Subject: one\r\nSubject: two\r\n", a).Subject);
        Assert.Equal(["duplicate_header_field"], a.Names);
    }

    [Fact]
    public void HostileBlocksDoNotThrow()
    {
        foreach (string block in new[]
        {
            "To: " + new string('(', 10_000) + "\r\n",
            "To: " + new string(',', 100_000) + "\r\n",
            "To: " + new string('"', 10_001) + "\r\n",
            "To: " + new string('<', 50_000) + "\r\n",
            "Bcc: \0\0\0\r\n\0: x\r\n",
            new string('\r', 10_000),
            new string('\n', 10_000),
            "To: a\r" + new string(' ', 10_000),
            string.Concat(Enumerable.Repeat("To: a@x\r\n", 5000)),
        })
        {
            var a = new TestAnomalies();
            var m = Parse(block, a);
            Assert.DoesNotContain(ImfAnomalies.HeaderParserError, a.Names);
            Assert.True(m.To.Count <= ImfOptions.Default.MaxAddressesPerField);
        }
    }
}
