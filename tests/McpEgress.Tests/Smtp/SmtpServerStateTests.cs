using System.Text;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Smtp;

/// <summary>
/// A command changes the session only through the server's reply (RFC 5321 §4.1.1, §4.1.4; issue 12 items 1-3). Each
/// conversation is fed three ways: as the wire saw it (one step at a time), the whole client stream before the whole
/// server stream (as if pipelined and the replies came late), and the server stream first. All three must agree.
/// </summary>
public class SmtpServerStateTests
{
    private const FlowDirection C = FlowDirection.ClientToServer;
    private const FlowDirection S = FlowDirection.ServerToClient;

    private const string Greeting = "220 mx ESMTP\r\n";
    private const string EhloReply = "250-mx\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 STARTTLS\r\n";
    private const string Body = "Subject: s\r\n\r\nhi\r\n.\r\n";

    private static (FlowDirection, string) Cl(string text) => (C, text);
    private static (FlowDirection, string) Sv(string text) => (S, text);

    /// <summary>Runs the conversation the three ways; returns the wire-order harness after checking the others agree.</summary>
    private static SmtpHarness Run(params (FlowDirection Dir, string Text)[] steps)
    {
        var wire = Feed(steps);
        var clientFirst = Feed([.. steps.Where(s => s.Dir == C), .. steps.Where(s => s.Dir == S)]);
        var serverFirst = Feed([.. steps.Where(s => s.Dir == S), .. steps.Where(s => s.Dir == C)]);
        string expected = Outcome(wire);
        Assert.Equal(expected, Outcome(clientFirst));
        Assert.Equal(expected, Outcome(serverFirst));
        return wire;
    }

    private static SmtpHarness Feed(IEnumerable<(FlowDirection Dir, string Text)> steps)
    {
        var h = new SmtpHarness();
        long ts = 1;
        foreach (var (dir, text) in steps) h.Feed(dir, Encoding.ASCII.GetBytes(text), ts++);
        h.Session.OnClose(ts);
        return h;
    }

    private static string Outcome(SmtpHarness h) =>
        SmtpHarness.Describe(h.Transactions)
        + $"helo={h.Session.Helo} auth={h.Session.AuthMechanism} tls={h.Session.StartedTls}\n"
        + string.Join(",", h.Anomalies.Snapshot().Select(kv => $"{kv.Key.Name}={kv.Value}"));

    private static string Rcpts(Protocols.Smtp.SmtpTransaction t) => string.Join(",", t.Recipients.Select(r => $"{r.Address}/{r.ReplyCode}"));

    // ------------------------------------------------------------------ MAIL

    [Fact]
    public void Nested_mail_refused_keeps_the_accepted_sender()
    {
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("MAIL FROM:<real@corp.example>\r\n"), Sv("250 2.1.0 Ok\r\n"),
            Cl("RCPT TO:<x@customer.example>\r\n"), Sv("250 2.1.5 Ok\r\n"),
            Cl("MAIL FROM:<ceo@bank.example>\r\n"), Sv("503 5.5.1 Error: nested MAIL command\r\n"),
            Cl("RCPT TO:<y@customer.example>\r\n"), Sv("250 2.1.5 Ok\r\n"),
            Cl("DATA\r\n"), Sv("354 go\r\n"), Cl(Body), Sv("250 queued\r\n"));
        var t = Assert.Single(h.Transactions);
        Assert.Equal("real@corp.example", t.MailFrom);
        Assert.Equal(250, t.MailFromReplyCode);
        Assert.Equal("x@customer.example/250,y@customer.example/250", Rcpts(t));
        Assert.Equal(250, t.DataReplyCode);
    }

    [Fact]
    public void Nested_mail_refused_keeps_the_accepted_sender_when_pipelined()
    {
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("MAIL FROM:<real@corp.example>\r\nRCPT TO:<x@customer.example>\r\nMAIL FROM:<ceo@bank.example>\r\nRCPT TO:<y@customer.example>\r\nDATA\r\n"),
            Sv("250 Ok\r\n250 Ok\r\n503 nested MAIL command\r\n250 Ok\r\n354 go\r\n"),
            Cl(Body), Sv("250 queued\r\n"));
        var t = Assert.Single(h.Transactions);
        Assert.Equal("real@corp.example", t.MailFrom);
        Assert.Equal("x@customer.example/250,y@customer.example/250", Rcpts(t));
    }

    [Fact]
    public void Refused_mail_then_accepted_mail_takes_the_accepted_sender()
    {
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("MAIL FROM:<first@corp.example>\r\nMAIL FROM:<second@corp.example> SIZE=42\r\nRCPT TO:<x@customer.example>\r\nDATA\r\n"),
            Sv("550 5.7.1 sender refused\r\n250 Ok\r\n250 Ok\r\n354 go\r\n"),
            Cl(Body), Sv("250 queued\r\n"));
        var t = Assert.Single(h.Transactions);
        Assert.Equal("second@corp.example", t.MailFrom);
        Assert.Equal(250, t.MailFromReplyCode);
        Assert.Equal(42, t.DeclaredSize);
    }

    [Fact]
    public void Refused_mail_alone_gives_no_message()
    {
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("MAIL FROM:<a@corp.example>\r\n"), Sv("550 no\r\n"),
            Cl("RCPT TO:<x@customer.example>\r\n"), Sv("503 need MAIL\r\n"),
            Cl("DATA\r\n"), Sv("503 need RCPT\r\n"),
            Cl("QUIT\r\n"), Sv("221 bye\r\n"));
        Assert.Empty(h.Transactions);
    }

    [Fact]
    public void Mail_whose_reply_was_never_seen_counts_as_accepted()
    {
        // One-sided capture: the server's direction is missing.
        var h = Run(Cl("EHLO c\r\nMAIL FROM:<a@corp.example>\r\nRCPT TO:<x@customer.example>\r\nDATA\r\n" + Body));
        var t = Assert.Single(h.Transactions);
        Assert.Equal("a@corp.example", t.MailFrom);
        Assert.Equal(0, t.MailFromReplyCode);
        Assert.Equal("x@customer.example/0", Rcpts(t));
        Assert.Equal("c", t.Helo);
    }

    // ------------------------------------------------------------------ RCPT

    [Fact]
    public void Rcpt_replies_mark_each_recipient_pipelined_or_not()
    {
        var one = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("MAIL FROM:<a@corp.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("RCPT TO:<x@customer.example>\r\n"), Sv("550 5.1.1 unknown\r\n"),
            Cl("RCPT TO:<y@customer.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("DATA\r\n"), Sv("354 go\r\n"), Cl(Body), Sv("250 queued\r\n"));
        var piped = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("MAIL FROM:<a@corp.example>\r\nRCPT TO:<x@customer.example>\r\nRCPT TO:<y@customer.example>\r\nDATA\r\n"),
            Sv("250 Ok\r\n550 5.1.1 unknown\r\n250 Ok\r\n354 go\r\n"), Cl(Body), Sv("250 queued\r\n"));
        foreach (var h in new[] { one, piped })
        {
            var t = Assert.Single(h.Transactions);
            Assert.Equal("x@customer.example/550,y@customer.example/250", Rcpts(t));
            Assert.Equal(["y@customer.example"], t.AcceptedRecipients.Select(r => r.Address));
        }
    }

    // ------------------------------------------------------------------ DATA

    [Fact]
    public void Data_refused_keeps_the_transaction_open_for_more_recipients()
    {
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("MAIL FROM:<a@corp.example>\r\nRCPT TO:<x@customer.example>\r\nDATA\r\n"),
            Sv("250 Ok\r\n550 unknown\r\n554 no valid recipients\r\n"),
            Cl("RCPT TO:<y@customer.example>\r\nDATA\r\n"), Sv("250 Ok\r\n354 go\r\n"),
            Cl(Body), Sv("250 queued\r\n"));
        var t = Assert.Single(h.Transactions);
        Assert.Equal("a@corp.example", t.MailFrom);
        Assert.Equal("x@customer.example/550,y@customer.example/250", Rcpts(t));
        Assert.Equal("DATA", t.DataCommand);
        Assert.Equal(250, t.DataReplyCode);
    }

    [Fact]
    public void End_of_data_closes_the_transaction_whatever_the_reply()
    {
        // RFC 5321 §4.1.1.4: a second DATA after a refused message needs a new MAIL; the server says 503.
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("MAIL FROM:<a@corp.example>\r\nRCPT TO:<x@customer.example>\r\nDATA\r\n"), Sv("250 Ok\r\n250 Ok\r\n354 go\r\n"),
            Cl(Body), Sv("554 rejected as spam\r\n"),
            Cl("RCPT TO:<y@customer.example>\r\n"), Sv("503 need MAIL\r\n"),
            Cl("DATA\r\n"), Sv("503 need RCPT\r\n"));
        var t = Assert.Single(h.Transactions);
        Assert.Equal(554, t.DataReplyCode);
        Assert.Equal("x@customer.example/250", Rcpts(t));
    }

    // ------------------------------------------------------------------ BDAT

    [Fact]
    public void Bdat_after_a_refused_nested_mail_goes_with_the_accepted_envelope()
    {
        // The chunk is read before any reply (CHUNKING is pipelined): it lands in the client's guess, the transaction
        // the refused MAIL would have opened, and comes out with the server's envelope.
        const string content = "Subject: b\r\n\r\nhi\r\n";
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl($"MAIL FROM:<real@corp.example>\r\nRCPT TO:<x@customer.example>\r\nMAIL FROM:<ceo@bank.example>\r\nRCPT TO:<y@customer.example>\r\nBDAT {content.Length} LAST\r\n{content}"),
            Sv("250 Ok\r\n250 Ok\r\n503 nested MAIL command\r\n250 Ok\r\n250 queued\r\n"));
        var t = Assert.Single(h.Transactions);
        Assert.Equal("real@corp.example", t.MailFrom);
        Assert.Equal(250, t.MailFromReplyCode);
        Assert.Equal("x@customer.example/250,y@customer.example/250", Rcpts(t));
        Assert.Equal(0, t.Index);
        Assert.Equal("Subject: b\r\n", Encoding.ASCII.GetString(t.HeaderBlock));
        Assert.Equal("BDAT", t.DataCommand);
        Assert.Equal(250, t.DataReplyCode);
    }

    [Fact]
    public void Bdat_in_chunks_each_replied()
    {
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("MAIL FROM:<a@corp.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("RCPT TO:<x@customer.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("BDAT 12\r\nSubject: b\r\n"), Sv("250 12 octets\r\n"),
            Cl("BDAT 6 LAST\r\n\r\nhi\r\n"), Sv("552 too big\r\n"));
        var t = Assert.Single(h.Transactions);
        Assert.Equal("a@corp.example", t.MailFrom);
        Assert.Equal(552, t.DataReplyCode);
        Assert.Equal(18, t.MessageBytes);
    }

    // ------------------------------------------------------------------ RSET

    [Fact]
    public void Accepted_rset_drops_the_open_transaction()
    {
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("MAIL FROM:<a@corp.example>\r\nRCPT TO:<x@customer.example>\r\nRSET\r\nMAIL FROM:<b@corp.example>\r\nRCPT TO:<y@customer.example>\r\nDATA\r\n"),
            Sv("250 Ok\r\n250 Ok\r\n250 reset\r\n250 Ok\r\n250 Ok\r\n354 go\r\n"), Cl(Body), Sv("250 queued\r\n"));
        var t = Assert.Single(h.Transactions);
        Assert.Equal("b@corp.example", t.MailFrom);
        Assert.Equal("y@customer.example/250", Rcpts(t));
    }

    [Fact]
    public void Refused_rset_keeps_the_open_transaction()
    {
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("MAIL FROM:<a@corp.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("RCPT TO:<x@customer.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("RSET extra\r\n"), Sv("501 5.5.4 Syntax: RSET\r\n"),
            Cl("DATA\r\n"), Sv("354 go\r\n"), Cl(Body), Sv("250 queued\r\n"));
        var t = Assert.Single(h.Transactions);
        Assert.Equal("a@corp.example", t.MailFrom);
        Assert.Equal("x@customer.example/250", Rcpts(t));
    }

    // ------------------------------------------------------------------ EHLO / HELO

    [Theory]
    [InlineData("EHLO")]
    [InlineData("HELO")]
    public void Refused_ehlo_or_helo_mid_transaction_does_not_reset_it(string verb)
    {
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("MAIL FROM:<a@corp.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("RCPT TO:<x@customer.example>\r\n"), Sv("250 Ok\r\n"),
            Cl($"{verb} bad..name\r\n"), Sv("501 5.5.2 invalid domain\r\n"),
            Cl("DATA\r\n"), Sv("354 go\r\n"), Cl(Body), Sv("250 queued\r\n"));
        var t = Assert.Single(h.Transactions);
        Assert.Equal("a@corp.example", t.MailFrom);
        Assert.Equal("x@customer.example/250", Rcpts(t));
        Assert.Equal("c", t.Helo);
        Assert.Equal("c", h.Session.Helo);
        Assert.Equal(["PIPELINING", "CHUNKING", "STARTTLS"], h.Session.Capabilities);
    }

    [Fact]
    public void Refused_ehlo_mid_transaction_with_bdat_pipelined()
    {
        const string content = "Subject: b\r\n\r\nhi\r\n";
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("MAIL FROM:<a@corp.example>\r\nRCPT TO:<x@customer.example>\r\n"), Sv("250 Ok\r\n250 Ok\r\n"),
            Cl("EHLO bad..name\r\n"), Sv("501 invalid domain\r\n"),
            Cl($"BDAT {content.Length} LAST\r\n{content}"), Sv("250 queued\r\n"));
        var t = Assert.Single(h.Transactions);
        Assert.Equal("a@corp.example", t.MailFrom);
        Assert.Equal("x@customer.example/250", Rcpts(t));
        Assert.Equal("c", t.Helo);
    }

    [Fact]
    public void Accepted_ehlo_mid_transaction_resets_it()
    {
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("MAIL FROM:<a@corp.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("RCPT TO:<x@customer.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("EHLO d\r\n"), Sv("250-mx\r\n250 PIPELINING\r\n"),
            Cl("MAIL FROM:<b@corp.example>\r\nRCPT TO:<y@customer.example>\r\nDATA\r\n"), Sv("250 Ok\r\n250 Ok\r\n354 go\r\n"),
            Cl(Body), Sv("250 queued\r\n"));
        var t = Assert.Single(h.Transactions);
        Assert.Equal("b@corp.example", t.MailFrom);
        Assert.Equal("y@customer.example/250", Rcpts(t));
        Assert.Equal("d", t.Helo);
        Assert.Equal(["PIPELINING"], h.Session.Capabilities);
    }

    [Fact]
    public void Refused_ehlo_then_helo_names_the_helo()
    {
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv("502 EHLO not implemented\r\n"), Cl("HELO d\r\n"), Sv("250 mx\r\n"),
            Cl("MAIL FROM:<a@corp.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("RCPT TO:<x@customer.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("DATA\r\n"), Sv("354 go\r\n"), Cl(Body), Sv("250 queued\r\n"));
        Assert.Equal("d", Assert.Single(h.Transactions).Helo);
        Assert.Empty(h.Session.Capabilities);
    }

    // ------------------------------------------------------------------ AUTH

    [Theory]
    [InlineData("535 5.7.8 authentication failed\r\n", null)]
    [InlineData("235 2.7.0 ok\r\n", "PLAIN")]
    public void Auth_mechanism_only_when_accepted(string reply, string? mechanism)
    {
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl($"AUTH PLAIN {SmtpTranscripts.PlainInitial}\r\n"), Sv(reply),
            Cl("MAIL FROM:<a@corp.example>\r\nRCPT TO:<x@customer.example>\r\nDATA\r\n"), Sv("250 Ok\r\n250 Ok\r\n354 go\r\n"),
            Cl(Body), Sv("250 queued\r\n"));
        Assert.Equal(mechanism, Assert.Single(h.Transactions).AuthMechanism);
        Assert.Equal(mechanism, h.Session.AuthMechanism);
    }

    [Fact]
    public void Auth_challenge_then_refused()
    {
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("AUTH LOGIN\r\n"), Sv("334 VXNlcm5hbWU6\r\n"), Cl("dXNlcg==\r\n"), Sv("334 UGFzc3dvcmQ6\r\n"), Cl("cGFzcw==\r\n"), Sv("535 failed\r\n"),
            Cl("MAIL FROM:<a@corp.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("RCPT TO:<x@customer.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("DATA\r\n"), Sv("354 go\r\n"), Cl(Body), Sv("250 queued\r\n"));
        var t = Assert.Single(h.Transactions);
        Assert.Null(t.AuthMechanism);
        Assert.Equal("a@corp.example", t.MailFrom);
        Assert.Equal(0, h.Anomaly("unknown_command"));
    }

    // ------------------------------------------------------------------ STARTTLS

    [Fact]
    public void Starttls_refused_keeps_the_transaction_state()
    {
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("STARTTLS\r\n"), Sv("454 4.7.0 TLS not available\r\n"),
            Cl("MAIL FROM:<a@corp.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("RCPT TO:<x@customer.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("DATA\r\n"), Sv("354 go\r\n"), Cl(Body), Sv("250 queued\r\n"));
        Assert.Equal("a@corp.example", Assert.Single(h.Transactions).MailFrom);
        Assert.False(h.Session.StartedTls);
        Assert.Equal(0, h.Anomalies.Total);
    }

    [Fact]
    public void Starttls_accepted_but_followed_by_plaintext_stays_smtp()
    {
        // A capture exported after decryption, or a client that gives up on TLS and goes on in the clear.
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("STARTTLS\r\n"), Sv("220 2.0.0 Ready to start TLS\r\n"),
            Cl("EHLO c\r\n"), Sv("250-mx\r\n250 AUTH PLAIN\r\n"),
            Cl("MAIL FROM:<a@corp.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("RCPT TO:<x@customer.example>\r\n"), Sv("250 Ok\r\n"),
            Cl("DATA\r\n"), Sv("354 go\r\n"), Cl(Body), Sv("250 queued\r\n"));
        var t = Assert.Single(h.Transactions);
        Assert.Equal("a@corp.example", t.MailFrom);
        Assert.Equal("x@customer.example/250", Rcpts(t));
        Assert.False(t.InsideTls);
        Assert.False(h.Session.StartedTls);
        Assert.False(h.Session.IsTls(C));
        Assert.False(h.Session.IsTls(S));
        Assert.Equal(["AUTH"], h.Session.Capabilities);
        Assert.Equal(1, h.Anomaly("starttls_not_followed_by_tls"));
        Assert.Equal(1, h.Anomalies.Total);
    }

    [Fact]
    public void Starttls_accepted_and_pipelined_plaintext_after_it_stays_smtp()
    {
        var h = Run(Sv(Greeting), Cl("EHLO c\r\n"), Sv(EhloReply),
            Cl("STARTTLS\r\nEHLO c\r\nMAIL FROM:<a@corp.example>\r\nRCPT TO:<x@customer.example>\r\nDATA\r\n"),
            Sv("220 go ahead\r\n250 mx\r\n250 Ok\r\n250 Ok\r\n354 go\r\n"),
            Cl(Body), Sv("250 queued\r\n"));
        Assert.Equal("a@corp.example", Assert.Single(h.Transactions).MailFrom);
        Assert.Equal(1, h.Anomaly("starttls_not_followed_by_tls"));
    }

    [Fact]
    public void Starttls_accepted_then_tls_record_switches_both_directions()
    {
        var h = new SmtpHarness();
        h.Server(Greeting); h.Client("EHLO c\r\n"); h.Server(EhloReply);
        h.Client("STARTTLS\r\n");
        Assert.True(h.Server("220 go\r\n").IsEmpty);
        Assert.False(h.Session.StartedTls);                 // nothing after the 220 yet: undecided
        byte[] hello = [0x16, 0x03, 0x01, 0x00, 0x05];
        var handed = h.Client(hello);
        Assert.True(h.Session.StartedTls);
        Assert.True(h.Session.IsTls(S));
        Assert.Equal(hello, handed.Client);
        byte[] serverHello = [0x16, 0x03, 0x03, 0x00, 0x05];
        Assert.Equal(serverHello, h.Server(serverHello).Server);
        Assert.Equal(0, h.Anomalies.Total);
    }

    [Fact]
    public void Starttls_accepted_then_client_gap_assumes_tls()
    {
        var h = new SmtpHarness();
        h.Server(Greeting); h.Client("EHLO c\r\n"); h.Server(EhloReply);
        h.Client("STARTTLS\r\n"); h.Server("220 go\r\n");
        h.Session.OnGap(C, 100);
        Assert.True(h.Session.StartedTls);
        Assert.Equal(new byte[] { 0x17, 0x03 }, h.Client([0x17, 0x03]).Client);
    }

    // ------------------------------------------------------------------ the shared transcripts (split tests use them too)

    [Fact]
    public void Transcript_refused_commands_keep_state()
    {
        var h = new SmtpHarness().Run(SmtpTranscripts.RefusedCommandsKeepState().Steps);
        var t = Assert.Single(h.Transactions);
        Assert.Equal("real@corp.example", t.MailFrom);
        Assert.Equal("client.example.com", t.Helo);
        Assert.Equal("x@customer.example/250,phan@giftshop.club/250", Rcpts(t));
        Assert.Equal("Subject: chunked\r\n", Encoding.ASCII.GetString(t.HeaderBlock));
        Assert.Equal(250, t.DataReplyCode);
        Assert.Equal(0, h.Anomalies.Total);
    }

    [Fact]
    public void Transcript_starttls_in_the_clear()
    {
        var h = new SmtpHarness().Run(SmtpTranscripts.StartTlsInTheClear().Steps);
        var t = Assert.Single(h.Transactions);
        Assert.Equal("phan@giftshop.club/250", Rcpts(t));
        Assert.False(h.Session.StartedTls);
        Assert.Equal(1, h.Anomaly("starttls_not_followed_by_tls"));
    }
}
