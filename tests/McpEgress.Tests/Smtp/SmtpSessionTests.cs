using System.Reflection;
using System.Text;
using McpEgress.Protocols.Smtp;
using McpEgress.Reassembly;

namespace McpEgress.Tests.Smtp;

public class SmtpSessionTests
{
    private static SmtpHarness Run(SmtpTranscript t, SmtpOptions? options = null) => new SmtpHarness(options).Run(t.Steps);

    [Fact]
    public void Basic_session_gives_one_transaction_with_every_field()
    {
        var h = Run(SmtpTranscripts.Basic());
        var s = h.Session;
        Assert.True(s.SawBanner);
        Assert.Equal("mx.example.org", s.BannerHost);
        Assert.Equal("client.example.com", s.Helo);
        // First EHLO line is the greeting; keywords come from the following lines.
        Assert.Equal(["PIPELINING", "SIZE", "AUTH", "8BITMIME", "SMTPUTF8"], s.Capabilities);
        Assert.Equal("PLAIN", s.AuthMechanism);

        var t = Assert.Single(h.Transactions);
        Assert.Equal("client.example.com", t.Helo);
        Assert.Equal("alice@example.com", t.MailFrom);
        Assert.Equal(250, t.MailFromReplyCode);
        Assert.Equal(123, t.DeclaredSize);
        Assert.Equal("8BITMIME", t.Body);
        Assert.False(t.SmtpUtf8);
        var r = Assert.Single(t.Recipients);
        Assert.Equal(("bob@example.org", 250), (r.Address, r.ReplyCode));
        Assert.Equal("PLAIN", t.AuthMechanism);
        Assert.Equal("DATA", t.DataCommand);
        Assert.Equal(250, t.DataReplyCode);
        Assert.Equal("From: alice@example.com\r\nTo: bob@example.org\r\nSubject: hi\r\n", Encoding.ASCII.GetString(t.HeaderBlock));
        // Unstuffed content: headers + CRLF + "line one\r\n" + ".leading dot\r\n" (terminator not counted).
        string content = "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nline one\r\n.leading dot\r\n";
        Assert.Equal(content.Length, t.MessageBytes);
        Assert.False(t.Incomplete);
        Assert.False(t.HeadersTruncated);
        Assert.False(t.InsideTls);
        Assert.Equal(6, t.StartTimestampNs);  // MAIL FROM was step 6
        Assert.Equal(12, t.EndTimestampNs);   // content ended in step 12
        Assert.Equal(0, h.Anomalies.Total);
    }

    [Fact]
    public void Auth_login_and_pipelining_record_each_rcpt_answer()
    {
        var h = Run(SmtpTranscripts.LoginPipelined());
        Assert.Equal("smtp.example.net", h.Session.BannerHost);
        Assert.Equal("LOGIN", h.Session.AuthMechanism);
        var t = Assert.Single(h.Transactions);
        Assert.Equal("LOGIN", t.AuthMechanism);
        Assert.Equal(
            [("b@example.net", 250), ("nobody@example.net", 550), ("phan@giftshop.club", 250)],
            t.Recipients.Select(r => (r.Address, r.ReplyCode)));
        Assert.Equal(["b@example.net", "phan@giftshop.club"], t.AcceptedRecipients.Select(r => r.Address));
        Assert.Equal("Subject: pipelined\r\nBcc: phan@giftshop.club\r\n", Encoding.ASCII.GetString(t.HeaderBlock));
        Assert.Equal(250, t.DataReplyCode);
        Assert.Equal(0, h.Anomaly("unknown_command"));
    }

    [Fact]
    public void Failed_xoauth2_then_plain_records_the_successful_mechanism()
    {
        var h = Run(SmtpTranscripts.XOAuth2ThenPlain());
        var t = Assert.Single(h.Transactions);
        Assert.Equal("PLAIN", t.AuthMechanism);
        Assert.Equal("x@example.org", t.Recipients.Single().Address);
        Assert.Equal(0, h.Anomaly("unknown_command"));
        Assert.Equal(0, h.Anomaly("reply_without_command"));
    }

    public static IEnumerable<object[]> AuthTranscripts() =>
        [[nameof(SmtpTranscripts.Basic)], [nameof(SmtpTranscripts.LoginPipelined)], [nameof(SmtpTranscripts.XOAuth2ThenPlain)]];

    [Theory]
    [MemberData(nameof(AuthTranscripts))]
    public void No_credential_reaches_any_string_of_a_transaction_or_the_session(string name)
    {
        var h = Run(SmtpTranscripts.ByName(name));
        Assert.NotEmpty(h.Transactions);
        var strings = new List<string>();
        foreach (var t in h.Transactions)
        {
            strings.AddRange(StringsOf(t));
            strings.AddRange(t.Recipients.SelectMany(StringsOf));
            strings.Add(Encoding.Latin1.GetString(t.HeaderBlock));
        }
        strings.AddRange(StringsOf(h.Session));
        strings.AddRange(h.Session.Capabilities);
        foreach (var s in strings)
            foreach (var secret in SmtpTranscripts.Secrets)
                Assert.DoesNotContain(secret, s, StringComparison.Ordinal);
    }

    private static IEnumerable<string> StringsOf(object o) =>
        o.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType == typeof(string) && p.GetIndexParameters().Length == 0)
            .Select(p => (string?)p.GetValue(o))
            .Where(v => v is not null)!;

    [Fact]
    public void Refused_data_leaves_no_content_and_next_transaction_is_kept()
    {
        var h = Run(SmtpTranscripts.DataRefusedThenRetry());
        // The refused transaction carried no message: not emitted.
        var t = Assert.Single(h.Transactions);
        Assert.Equal("yes@y.org", t.Recipients.Single().Address);
        Assert.Equal("Subject: retry\r\n", Encoding.ASCII.GetString(t.HeaderBlock));
        Assert.Equal(250, t.DataReplyCode);
        Assert.Equal(0, h.Anomaly("unknown_command"));
    }

    [Fact]
    public void Bdat_chunks_are_counted_exactly_and_concatenated()
    {
        var h = Run(SmtpTranscripts.Bdat());
        var t = Assert.Single(h.Transactions);
        Assert.Equal("BDAT", t.DataCommand);
        Assert.Equal("BINARYMIME", t.Body);
        Assert.Equal(250, t.DataReplyCode);
        Assert.Equal(28, t.MessageBytes);   // 23 + 5, no dot-unstuffing in BDAT
        Assert.Equal("Subject: chunk\r\n", Encoding.ASCII.GetString(t.HeaderBlock));
        Assert.Equal(("b@y.org", 250), (t.Recipients[0].Address, t.Recipients[0].ReplyCode));
        Assert.Equal(0, h.Anomalies.Total);
    }

    [Fact]
    public void Rset_aborts_and_several_messages_share_a_connection()
    {
        var h = Run(SmtpTranscripts.RsetAndTwoMessages());
        Assert.Equal(2, h.Transactions.Count);
        var (one, two) = (h.Transactions[0], h.Transactions[1]);
        Assert.Equal("", one.MailFrom); // null sender <>
        Assert.Equal(["one@y.org"], one.Recipients.Select(r => r.Address));
        Assert.Equal(250, one.DataReplyCode);
        Assert.Equal("second@x.org", two.MailFrom);
        Assert.Equal(["two@y.org"], two.Recipients.Select(r => r.Address));
        Assert.Equal(451, two.DataReplyCode);
        Assert.Equal("c", two.Helo);
        Assert.Equal([1, 2], h.Transactions.Select(t => t.Index)); // index 0 was the RSET one
    }

    [Fact]
    public void Real_clients_smtplib_swaks_nodemailer()
    {
        var py = Assert.Single(Run(SmtpTranscripts.SmtplibSession()).Transactions);
        Assert.Equal("laptop.local", py.Helo);
        Assert.Equal("alice@example.com", py.MailFrom);
        Assert.Equal(219, py.DeclaredSize);
        Assert.Equal([("bob@example.org", 250), ("unknown@example.org", 550), ("phan@giftshop.club", 250)],
            py.Recipients.Select(r => (r.Address, r.ReplyCode)));
        Assert.Equal(219, py.MessageBytes); // smtplib's SIZE= is the unstuffed size
        Assert.Equal("PLAIN", py.AuthMechanism);

        var sw = Assert.Single(Run(SmtpTranscripts.SwaksSession()).Transactions);
        Assert.Equal("LOGIN", sw.AuthMechanism);
        Assert.Contains("Bcc: eve@evil.example\r\n", Encoding.ASCII.GetString(sw.HeaderBlock));
        Assert.Equal([250, 550], sw.Recipients.Select(r => r.ReplyCode));

        var nm = Assert.Single(Run(SmtpTranscripts.NodemailerSession()).Transactions);
        Assert.Equal(["user@customer.example", "phan@giftshop.club"], nm.Recipients.Select(r => r.Address));
        Assert.DoesNotContain("Bcc", Encoding.ASCII.GetString(nm.HeaderBlock)); // nodemailer hides Bcc: envelope only
        Assert.Equal(250, nm.DataReplyCode);
        Assert.EndsWith("Content-Type: text/plain; charset=utf-8\r\n", Encoding.ASCII.GetString(nm.HeaderBlock));
    }

    [Fact]
    public void Mail_and_rcpt_argument_quirks()
    {
        var h = new SmtpHarness();
        h.Server("220 mx\r\n");
        h.Client("HELO c\r\n"); h.Server("250 ok\r\n");
        h.Client("MAIL FROM: <j\u00f6rg@b\u00fccher.example> SMTPUTF8 SIZE=12\r\n"); h.Server("250 ok\r\n");
        h.Client("RCPT TO:<\"john doe>\"@example.org>\r\n"); h.Server("250 ok\r\n");
        h.Client("RCPT TO:<@relay.example,@r2.example:user@c.example>\r\n"); h.Server("250 ok\r\n");
        h.Client("rcpt to: bare@example.org NOTIFY=NEVER\r\n"); h.Server("250 ok\r\n");
        h.Client("DATA\r\n"); h.Server("354 go\r\n");
        h.Client("X: y\r\n.\r\n"); h.Server("250 ok\r\n");
        var t = Assert.Single(h.Transactions);
        Assert.Equal("j\u00f6rg@b\u00fccher.example", t.MailFrom);
        Assert.True(t.SmtpUtf8);
        Assert.Equal(12, t.DeclaredSize);
        Assert.Equal(["\"john doe>\"@example.org", "user@c.example", "bare@example.org"], t.Recipients.Select(r => r.Address));
    }

    [Fact]
    public void Dot_stuffing_and_header_block_edge_cases()
    {
        var h = new SmtpHarness();
        h.Server("220 mx\r\n");
        h.Client("MAIL FROM:<a@b>\r\n"); h.Server("250 ok\r\n");
        h.Client("RCPT TO:<c@d>\r\n"); h.Server("250 ok\r\n");
        h.Client("DATA\r\n"); h.Server("354 go\r\n");
        // ".." → "." ; "..." → ".."; ". x" is "<dot><space>x" → " x"; body line ".\r\n" only ends the message at line start.
        h.Client("A: 1\r\n..B: 2\r\n\r\n...\r\n. x\r\nend.\r\n.\r\n");
        h.Server("250 ok\r\n");
        var t = Assert.Single(h.Transactions);
        Assert.Equal("A: 1\r\n.B: 2\r\n", Encoding.ASCII.GetString(t.HeaderBlock));
        Assert.Equal("A: 1\r\n.B: 2\r\n\r\n..\r\n x\r\nend.\r\n".Length, t.MessageBytes);
    }

    [Fact]
    public void Bare_lf_content_is_accepted_loosely()
    {
        var h = new SmtpHarness();
        h.Server("220 mx\n");
        h.Client("MAIL FROM:<a@b>\nRCPT TO:<c@d>\nDATA\n");
        h.Server("250 ok\n250 ok\n354 go\n");
        h.Client("Subject: lf\nX: 1\n\nbody\n..x\n.\n");
        h.Server("250 ok\n");
        var t = Assert.Single(h.Transactions);
        Assert.Equal("Subject: lf\nX: 1\n", Encoding.ASCII.GetString(t.HeaderBlock));
        Assert.Equal("Subject: lf\nX: 1\n\nbody\n.x\n".Length, t.MessageBytes);
        Assert.Equal(250, t.DataReplyCode);
        Assert.True(h.Anomaly("bare_lf") >= 1);
    }

    [Fact]
    public void Message_without_body_separator_is_all_headers()
    {
        var h = new SmtpHarness();
        h.Client("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n");
        h.Server("250 ok\r\n250 ok\r\n354 go\r\n");
        h.Client("Subject: only headers\r\n.\r\n");
        h.Server("250 ok\r\n");
        Assert.Equal("Subject: only headers\r\n", Encoding.ASCII.GetString(Assert.Single(h.Transactions).HeaderBlock));
    }

    [Fact]
    public void Starttls_switch_hands_back_exactly_the_tls_bytes()
    {
        var h = new SmtpHarness();
        var s = h.Session;
        Assert.True(h.Server("220 mx ESMTP\r\n").IsEmpty);
        h.Client("EHLO c\r\n");
        h.Server("250-mx\r\n250 STARTTLS\r\n");
        Assert.True(h.Client("STARTTLS\r\n").IsEmpty);
        Assert.True(s.TlsSwitchPending);
        Assert.False(s.StartedTls);
        byte[] serverSeg = [.. "220 2.0.0 Ready to start TLS\r\n"u8, 0x16, 0x03, 0x03, 0x00, 0x05];
        var switched = h.Server(serverSeg);            // the TLS record after the 220 line is not SMTP
        Assert.Equal(new byte[] { 0x16, 0x03, 0x03, 0x00, 0x05 }, switched.Server);
        Assert.Empty(switched.Client);
        Assert.True(s.StartedTls);
        Assert.False(s.TlsSwitchPending);
        Assert.True(s.IsTls(FlowDirection.ClientToServer));
        Assert.True(s.IsTls(FlowDirection.ServerToClient));
        byte[] hello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01];
        var later = h.Client(hello);                    // every later byte of a TLS direction comes back whole
        Assert.Equal(hello, later.Client);
        Assert.Empty(later.Server);
        Assert.Equal(0, h.Anomalies.Total);
    }

    [Fact]
    public void Starttls_client_hello_in_same_segment_before_reply_is_held_and_handed_back()
    {
        var h = new SmtpHarness();
        var s = h.Session;
        h.Server("220 mx\r\n");
        h.Client("EHLO c\r\n");
        h.Server("250 STARTTLS\r\n");
        byte[] seg = [.. "STARTTLS\r\n"u8, 0x16, 0x03, 0x01];
        Assert.True(h.Client(seg).IsEmpty);             // held: the reply is not known yet
        Assert.True(s.TlsSwitchPending);
        var switched = h.Server("220 go\r\n");
        Assert.True(s.StartedTls);
        Assert.Equal(new byte[] { 0x16, 0x03, 0x01 }, switched.Client); // the held bytes, handed back on the server's call
        Assert.Empty(switched.Server);
        Assert.True(h.Server([0x16, 0x03, 0x03]).Client.Length == 0);    // handed back once
    }

    [Fact]
    public void Starttls_with_server_stream_first_moves_server_tls_bytes_out()
    {
        var h = new SmtpHarness();
        var s = h.Session;
        byte[] server = [.. "220 mx\r\n250-mx\r\n250 STARTTLS\r\n220 go\r\n"u8, 0x16, 0x03, 0x03];
        Assert.True(h.Server(server).IsEmpty);
        Assert.False(s.StartedTls);
        byte[] client = [.. "EHLO c\r\nSTARTTLS\r\n"u8, 0x16, 0x03, 0x01];
        var switched = h.Client(client);
        Assert.True(s.StartedTls);
        Assert.Equal(new byte[] { 0x16, 0x03, 0x03 }, switched.Server);
        Assert.Equal(new byte[] { 0x16, 0x03, 0x01 }, switched.Client);
        // The server's bytes were taken by an earlier call: they come first.
        Assert.Equal([FlowDirection.ServerToClient, FlowDirection.ClientToServer], switched.Order);
        Assert.Equal("c", s.Helo);
        Assert.Equal(["STARTTLS"], s.Capabilities);
    }

    [Fact]
    public void Starttls_refused_continues_in_plaintext()
    {
        var h = new SmtpHarness();
        h.Server("220 mx\r\n");
        h.Client("EHLO c\r\n"); h.Server("250 STARTTLS\r\n");
        h.Client("STARTTLS\r\n");
        h.Server("454 4.7.0 TLS not available\r\n");
        Assert.False(h.Session.StartedTls);
        Assert.False(h.Session.TlsSwitchPending);
        h.Client("MAIL FROM:<a@b>\r\n"); h.Server("250 ok\r\n");
        h.Client("RCPT TO:<c@d>\r\n"); h.Server("250 ok\r\n");
        h.Client("DATA\r\n"); h.Server("354 go\r\n");
        h.Client("S: x\r\n\r\n.\r\n"); h.Server("250 ok\r\n");
        Assert.Single(h.Transactions);
    }

    [Fact]
    public void Session_inside_tls_after_starttls_has_no_banner()
    {
        var h = new SmtpHarness(insideTls: true);
        // RFC 3207 §4.2: the client starts over with EHLO; the server sends no greeting.
        h.Server("");
        h.Client("EHLO c\r\n"); h.Server("250-mx\r\n250 AUTH PLAIN\r\n");
        h.Client($"AUTH PLAIN {SmtpTranscripts.PlainInitial}\r\n"); h.Server("235 ok\r\n");
        h.Client("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"); h.Server("250 ok\r\n250 ok\r\n354 go\r\n");
        h.Client("S: x\r\n\r\n.\r\n"); h.Server("250 ok\r\n");
        var t = Assert.Single(h.Transactions);
        Assert.True(t.InsideTls);
        Assert.False(h.Session.SawBanner);
        Assert.Equal("PLAIN", t.AuthMechanism);
    }

    [Fact]
    public void Mid_stream_pickup_without_banner_or_mail_from()
    {
        var h = new SmtpHarness();
        // Capture starts after MAIL FROM; the server's answer to it is seen first (ts 1) and can't answer RCPT (ts 2).
        h.Server("250 2.1.0 Ok\r\n", 1);
        h.Client("RCPT TO:<x@y.org>\r\n", 2);
        h.Server("250 2.1.5 Ok\r\n", 3);
        h.Client("DATA\r\n", 4);
        h.Server("354 go\r\n", 5);
        h.Client("Subject: mid\r\n\r\nb\r\n.\r\n", 6);
        h.Server("250 ok\r\n", 7);
        var t = Assert.Single(h.Transactions);
        Assert.Null(t.MailFrom);
        Assert.Equal(("x@y.org", 250), (t.Recipients[0].Address, t.Recipients[0].ReplyCode));
        Assert.Equal(250, t.DataReplyCode);
        Assert.False(h.Session.SawBanner);
        Assert.Equal(1, h.Anomaly("reply_without_command"));
    }

    [Fact]
    public void Mid_stream_pickup_inside_data_content_resyncs_at_next_command()
    {
        var h = new SmtpHarness();
        h.OnGapThen(FlowDirection.ClientToServer, "rest of a body line\r\nmore\r\n.\r\nMAIL FROM:<a@b>\r\n");
        h.Server("250 queued\r\n250 ok\r\n");
        h.Client("RCPT TO:<c@d>\r\nDATA\r\n");
        h.Server("250 ok\r\n354 go\r\n");
        h.Client("S: 2\r\n\r\n.\r\n");
        h.Server("250 ok\r\n");
        var t = Assert.Single(h.Transactions);
        Assert.Equal("a@b", t.MailFrom);
        Assert.Equal("S: 2\r\n", Encoding.ASCII.GetString(t.HeaderBlock));
    }

    [Fact]
    public void Gap_in_data_marks_incomplete_and_finds_the_terminator()
    {
        var h = new SmtpHarness();
        h.Server("220 mx\r\n");
        h.Client("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n");
        h.Server("250 ok\r\n250 ok\r\n354 go\r\n");
        h.Client("Subject: gap\r\nTo: c@d\r\n\r\nfirst");
        h.Session.OnGap(FlowDirection.ClientToServer, 1000);
        h.Client("tail of a line\r\nlast\r\n.\r\n");
        h.Server("250 ok\r\n");
        h.Client("MAIL FROM:<next@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n");
        h.Server("250 ok\r\n250 ok\r\n354 go\r\n");
        h.Client("S: 2\r\n\r\n.\r\n");
        h.Server("250 ok\r\n");
        Assert.Equal(2, h.Transactions.Count);
        var t = h.Transactions[0];
        Assert.True(t.Incomplete);
        Assert.Equal(250, t.DataReplyCode);
        Assert.Equal("Subject: gap\r\nTo: c@d\r\n", Encoding.ASCII.GetString(t.HeaderBlock));
        Assert.False(h.Transactions[1].Incomplete);
        Assert.Equal(1, h.Anomaly("gap_in_data"));
    }

    [Fact]
    public void Gap_in_commands_resyncs_at_a_known_verb_and_marks_transaction()
    {
        var h = new SmtpHarness();
        h.Server("220 mx\r\n");
        h.Client("MAIL FROM:<a@b>\r\n"); h.Server("250 ok\r\n");
        h.Client("RCPT TO:<c@d>\r\nRCPT TO:<lo");
        h.Session.OnGap(FlowDirection.ClientToServer, 20);
        h.Client("st@x>\r\nRCPT TO:<e@f>\r\nDATA\r\n");
        h.Server("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n");
        h.Client("S: x\r\n\r\n.\r\n"); h.Server("250 ok\r\n");
        var t = Assert.Single(h.Transactions);
        Assert.True(t.Incomplete);
        Assert.Equal(["c@d", "e@f"], t.Recipients.Select(r => r.Address));
    }

    [Fact]
    public void Gap_in_replies_settles_pending_commands_and_resyncs()
    {
        var h = new SmtpHarness();
        h.Server("220 mx\r\n");
        h.Client("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n");
        h.Server("250 o");
        h.Session.OnGap(FlowDirection.ServerToClient, 30);
        h.Server("k\r\n354 go\r\n");   // "k\r\n" (tail of the cut reply) is skipped; 354 starts a reply again
        h.Client("S: x\r\n\r\n.\r\n");
        h.Server("250 ok\r\n");
        var t = Assert.Single(h.Transactions);
        Assert.Equal(0, t.MailFromReplyCode);
        Assert.Equal(0, t.Recipients[0].ReplyCode);
        Assert.True(t.Recipients[0].Accepted);
        Assert.Equal("S: x\r\n", Encoding.ASCII.GetString(t.HeaderBlock));
        Assert.Equal(1, h.Anomaly("gap_in_replies"));
    }

    [Fact]
    public void Close_after_content_without_reply_emits_with_code_zero()
    {
        var h = new SmtpHarness();
        h.Client("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n");
        h.Server("250 ok\r\n250 ok\r\n354 go\r\n");
        h.Client("S: x\r\n\r\nb\r\n.\r\n");
        Assert.Empty(h.Transactions);
        h.Session.OnClose(9);
        var t = Assert.Single(h.Transactions);
        Assert.Equal(0, t.DataReplyCode);
        Assert.False(t.Incomplete);
    }

    [Fact]
    public void Close_inside_content_emits_incomplete()
    {
        var h = new SmtpHarness();
        h.Client("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n");
        h.Server("250 ok\r\n250 ok\r\n354 go\r\n");
        h.Client("Bcc: z@evil.example\r\n\r\nhalf a bo");
        h.Session.OnClose(9);
        var t = Assert.Single(h.Transactions);
        Assert.True(t.Incomplete);
        Assert.Equal("Bcc: z@evil.example\r\n", Encoding.ASCII.GetString(t.HeaderBlock));
    }

    [Fact]
    public void Close_with_client_content_held_and_no_reply_assumes_data_accepted()
    {
        var h = new SmtpHarness();
        h.Client("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nS: held\r\n\r\nb\r\n.\r\nQUIT\r\n");
        h.Session.OnClose(9);
        var t = Assert.Single(h.Transactions);
        Assert.Equal("S: held\r\n", Encoding.ASCII.GetString(t.HeaderBlock));
        Assert.Equal(0, t.DataReplyCode);
    }

    [Fact]
    public void Limits_line_length_recipients_header_bytes_pending()
    {
        var options = new SmtpOptions { MaxLineBytes = 64, MaxRecipientsPerTransaction = 2, MaxHeaderBytes = 10 };
        var h = new SmtpHarness(options);
        h.Server("220 mx\r\n");
        h.Client("NOOP " + new string('x', 200) + "\r\n");
        h.Server("500 too long\r\n");
        h.Client("MAIL FROM:<a@b>\r\nRCPT TO:<1@d>\r\nRCPT TO:<2@d>\r\nRCPT TO:<3@d>\r\nDATA\r\n");
        h.Server("250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n");
        h.Client("Subject: a long subject\r\n\r\nbody\r\n.\r\n");
        h.Server("250 ok\r\n");
        var t = Assert.Single(h.Transactions);
        Assert.Equal(["1@d", "2@d"], t.Recipients.Select(r => r.Address));
        Assert.Equal(1, t.DroppedRecipients);
        Assert.True(t.HeadersTruncated);
        Assert.Equal("Subject: a", Encoding.ASCII.GetString(t.HeaderBlock));
        Assert.Equal("Subject: a long subject\r\n\r\nbody\r\n".Length, t.MessageBytes);
        Assert.Equal(1, h.Anomaly("line_too_long"));
        Assert.Equal(1, h.Anomaly("too_many_recipients"));
        Assert.Equal(1, h.Anomaly("header_block_truncated"));
    }

    [Fact]
    public void Full_pending_queue_holds_client_until_replies_arrive()
    {
        var h = new SmtpHarness(new SmtpOptions { MaxPendingCommands = 4 });
        h.Server("220 mx\r\n");
        h.Client("MAIL FROM:<a@b>\r\n" + string.Concat(Enumerable.Range(1, 6).Select(i => $"RCPT TO:<r{i}@d>\r\n")) + "DATA\r\n");
        h.Server("250 ok\r\n250 ok\r\n550 no\r\n250 ok\r\n250 ok\r\n250 ok\r\n551 no\r\n354 go\r\n");
        h.Client("S: x\r\n\r\n.\r\n");
        h.Server("250 ok\r\n");
        var t = Assert.Single(h.Transactions);
        Assert.Equal([250, 550, 250, 250, 250, 551], t.Recipients.Select(r => r.ReplyCode));
        Assert.Equal(0, h.Anomalies.Total);
    }

    [Fact]
    public void Excessive_pending_commands_beyond_the_hold_drop_the_oldest()
    {
        var h = new SmtpHarness(new SmtpOptions { MaxPendingCommands = 4, MaxHeldBytes = 16 });
        h.Server("220 mx\r\n");
        h.Client(string.Concat(Enumerable.Repeat("NOOP\r\n", 10)));
        Assert.True(h.Anomaly("excessive_pending_cmds") >= 1);
        Assert.True(h.Anomaly("held_bytes_overflow") >= 1);
        h.Server(string.Concat(Enumerable.Repeat("250 ok\r\n", 10)));
        h.Session.OnClose(0);
        Assert.Equal(h.Anomaly("excessive_pending_cmds"), h.Anomaly("reply_without_command"));
    }

    [Fact]
    public void Unknown_commands_and_xclient_are_counted()
    {
        var h = new SmtpHarness();
        h.Server("220 mx\r\n");
        h.Client("XCLIENT ADDR=1.2.3.4\r\nFOO bar\r\n");
        h.Server("220 ok\r\n500 what\r\n");
        Assert.Equal(1, h.Session.OtherCommandCount);
        Assert.Equal(1, h.Session.UnknownCommandCount);
        Assert.Equal(1, h.Anomaly("unknown_command"));
        Assert.Equal(0, h.Anomaly("reply_without_command"));
    }

    [Fact]
    public void Bdat_bad_size_resyncs()
    {
        var h = new SmtpHarness();
        h.Server("220 mx\r\n");
        h.Client("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT lots\r\nbinary junk\r\nRSET\r\n");
        h.Server("250 ok\r\n250 ok\r\n501 bad\r\n250 ok\r\n");
        Assert.Equal(1, h.Anomaly("bdat_bad_size"));
        Assert.Empty(h.Transactions);
        Assert.Equal(0, h.Anomaly("reply_without_command"));
    }

    [Fact]
    public void Max_transactions_per_session_stops_parsing_headers_not_emitting()
    {
        var h = new SmtpHarness(new SmtpOptions { MaxTransactionsPerSession = 1 });
        for (int i = 0; i < 3; i++)
        {
            h.Client($"MAIL FROM:<a@b>\r\nRCPT TO:<c{i}@d>\r\nDATA\r\n");
            h.Server("250 ok\r\n250 ok\r\n354 go\r\n");
            h.Client("S: x\r\n\r\n.\r\n");
            h.Server("250 ok\r\n");
        }
        // Every transaction comes out with its envelope (a recipient must never be hidden by a limit); only the first
        // has its header block, the others say that the limit cut it.
        Assert.Equal(3, h.Transactions.Count);
        Assert.Equal(["c0@d", "c1@d", "c2@d"], h.Transactions.Select(t => t.Recipients.Single().Address));
        Assert.Equal([false, true, true], h.Transactions.Select(t => t.HeadersNotParsed));
        Assert.NotEmpty(h.Transactions[0].HeaderBlock);
        Assert.Empty(h.Transactions[2].HeaderBlock);
        Assert.Equal(3, h.Session.TransactionCount);
        Assert.Equal(1, h.Anomaly("too_many_transactions"));
    }
}
