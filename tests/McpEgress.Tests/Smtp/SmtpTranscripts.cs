namespace McpEgress.Tests.Smtp;

/// <summary>Wire transcripts shared by the feature, split-point and interleaving tests.</summary>
internal static class SmtpTranscripts
{
    // Credentials used below; tests assert none of them reaches a transaction.
    public const string PlainInitial = "AGFsaWNlAHMzY3JldA==";          // "\0alice\0s3cret"
    public const string LoginUser = "YWxpY2U=";                     // "alice"
    public const string LoginPass = "czNjcmV0";                     // "s3cret"
    public const string XOAuth2Token = "dXNlcj1hbGljZQFhdXRoPUJlYXJlciB5YTI5LnRva2VuAQE="; // user=alice^Aauth=Bearer ya29.token^A^A
    public static readonly string[] Secrets = [PlainInitial, LoginUser, LoginPass, XOAuth2Token, "s3cret", "ya29.token", "alice\0"];

    /// <summary>Postfix-like: banner, EHLO multiline, AUTH PLAIN with initial response, one message with dot-stuffing.</summary>
    public static SmtpTranscript Basic() => new SmtpTranscript()
        .S("220 mx.example.org ESMTP Postfix\r\n")
        .C("EHLO client.example.com\r\n")
        .S("250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
        .C($"AUTH PLAIN {PlainInitial}\r\n")
        .S("235 2.7.0 Authentication successful\r\n")
        .C("MAIL FROM:<alice@example.com> SIZE=123 BODY=8BITMIME\r\n")
        .S("250 2.1.0 Ok\r\n")
        .C("RCPT TO:<bob@example.org>\r\n")
        .S("250 2.1.5 Ok\r\n")
        .C("DATA\r\n")
        .S("354 End data with <CR><LF>.<CR><LF>\r\n")
        .C("From: alice@example.com\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nline one\r\n..leading dot\r\n.\r\n")
        .S("250 2.0.0 Ok: queued as 12345\r\n")
        .C("QUIT\r\n")
        .S("221 2.0.0 Bye\r\n");

    /// <summary>AUTH LOGIN in three steps, then PIPELINING with mixed RCPT answers.</summary>
    public static SmtpTranscript LoginPipelined() => new SmtpTranscript()
        .S("220-smtp.example.net greets you\r\n220 second banner line\r\n")
        .C("EHLO [192.0.2.1]\r\n")
        .S("250-smtp.example.net\r\n250-PIPELINING\r\n250 AUTH LOGIN PLAIN XOAUTH2\r\n")
        .C("AUTH LOGIN\r\n")
        .S("334 VXNlcm5hbWU6\r\n")
        .C(LoginUser + "\r\n")
        .S("334 UGFzc3dvcmQ6\r\n")
        .C(LoginPass + "\r\n")
        .S("235 2.7.0 Accepted\r\n")
        .C("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\nRCPT TO:<nobody@example.net>\r\nRCPT TO:<phan@giftshop.club>\r\nDATA\r\n")
        .S("250 2.1.0 Sender OK\r\n250 2.1.5 OK\r\n550 5.1.1 No such user\r\n250 2.1.5 OK\r\n354 go ahead\r\n")
        .C("Subject: pipelined\r\nBcc: phan@giftshop.club\r\n\r\nbody\r\n.\r\n")
        .S("250 2.0.0 OK queued\r\n")
        .C("QUIT\r\n")
        .S("221 bye\r\n");

    /// <summary>XOAUTH2 fails (334 error JSON, empty client response, 535), PLAIN without initial response succeeds.</summary>
    public static SmtpTranscript XOAuth2ThenPlain() => new SmtpTranscript()
        .S("220 smtp.gmail.com ESMTP\r\n")
        .C("EHLO localhost\r\n")
        .S("250-smtp.gmail.com at your service\r\n250-AUTH LOGIN PLAIN XOAUTH2\r\n250 PIPELINING\r\n")
        .C($"AUTH XOAUTH2 {XOAuth2Token}\r\n")
        .S("334 eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIn0=\r\n")
        .C("\r\n")
        .S("535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 Learn more\r\n")
        .C("AUTH PLAIN\r\n")
        .S("334 \r\n")
        .C(PlainInitial + "\r\n")
        .S("235 2.7.0 Accepted\r\n")
        .C("MAIL FROM:<alice@gmail.com>\r\n")
        .S("250 2.1.0 OK\r\n")
        .C("RCPT TO:<x@example.org>\r\n")
        .S("250 2.1.5 OK\r\n")
        .C("DATA\r\n")
        .S("354 Go ahead\r\n")
        .C("Subject: x\r\n\r\nhello\r\n.\r\n")
        .S("250 2.0.0 OK\r\n")
        .C("QUIT\r\n")
        .S("221 2.0.0 closing connection\r\n");

    /// <summary>Every RCPT refused, so DATA gets 554 and the client sends RSET and a second, accepted transaction.</summary>
    public static SmtpTranscript DataRefusedThenRetry() => new SmtpTranscript()
        .S("220 mx ESMTP\r\n")
        .C("EHLO c\r\n")
        .S("250-mx\r\n250 PIPELINING\r\n")
        .C("MAIL FROM:<a@x.org>\r\nRCPT TO:<nope@y.org>\r\nDATA\r\n")
        .S("250 ok\r\n550 no such user\r\n554 5.5.1 Error: no valid recipients\r\n")
        .C("RSET\r\n")
        .S("250 ok\r\n")
        .C("MAIL FROM:<a@x.org>\r\nRCPT TO:<yes@y.org>\r\nDATA\r\n")
        .S("250 ok\r\n250 ok\r\n354 go\r\n")
        .C("Subject: retry\r\n\r\n.\r\n")
        .S("250 queued\r\n")
        .C("QUIT\r\n")
        .S("221 bye\r\n");

    /// <summary>CHUNKING (RFC 3030): BDAT chunks pipelined, the last one with LAST.</summary>
    public static SmtpTranscript Bdat() => new SmtpTranscript()
        .S("220 mx ESMTP\r\n")
        .C("EHLO c\r\n")
        .S("250-mx\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 BINARYMIME\r\n")
        .C("MAIL FROM:<a@x.org> BODY=BINARYMIME\r\nRCPT TO:<b@y.org>\r\nBDAT 23\r\nSubject: chunk\r\n\r\n.hi\r\nBDAT 5 LAST\r\n.\r\n\r\n")
        .S("250 ok\r\n250 ok\r\n250 23 octets received\r\n250 message accepted\r\n")
        .C("QUIT\r\n")
        .S("221 bye\r\n");

    /// <summary>RSET in the middle of a transaction, then two messages on the same connection.</summary>
    public static SmtpTranscript RsetAndTwoMessages() => new SmtpTranscript()
        .S("220 mx ESMTP\r\n")
        .C("HELO c\r\n")
        .S("250 mx\r\n")
        .C("MAIL FROM:<first@x.org>\r\n")
        .S("250 ok\r\n")
        .C("RCPT TO:<dropped@y.org>\r\n")
        .S("250 ok\r\n")
        .C("RSET\r\n")
        .S("250 ok\r\n")
        .C("MAIL FROM:<>\r\n")
        .S("250 ok\r\n")
        .C("RCPT TO:<one@y.org>\r\n")
        .S("250 ok\r\n")
        .C("DATA\r\n")
        .S("354 go\r\n")
        .C("Subject: one\r\n\r\n1\r\n.\r\n")
        .S("250 ok 1\r\n")
        .C("MAIL FROM:<second@x.org>\r\n")
        .S("250 ok\r\n")
        .C("RCPT TO:<two@y.org>\r\n")
        .S("250 ok\r\n")
        .C("NOOP\r\n")
        .S("250 ok\r\n")
        .C("DATA\r\n")
        .S("354 go\r\n")
        .C("Subject: two\r\n\r\n2\r\n.\r\n")
        .S("451 try later\r\n")
        .C("QUIT\r\n")
        .S("221 bye\r\n");

    /// <summary>Python 3 smtplib send_message: lower-case verbs, AUTH PLAIN, one RCPT refused (recorded with /tmp sink).</summary>
    public static SmtpTranscript SmtplibSession() => new SmtpTranscript()
        .S("220 sink.example ESMTP ready\r\n")
        .C("ehlo laptop.local\r\n")
        .S("250-sink.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250-CHUNKING\r\n250-SMTPUTF8\r\n250 AUTH PLAIN LOGIN\r\n")
        .C("AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\n")
        .S("235 2.7.0 ok\r\n")
        .C("mail FROM:<alice@example.com> size=219\r\n")
        .S("250 2.1.0 ok\r\n")
        .C("rcpt TO:<bob@example.org>\r\n")
        .S("250 2.1.5 ok\r\n")
        .C("rcpt TO:<unknown@example.org>\r\n")
        .S("550 5.1.1 unknown\r\n")
        .C("rcpt TO:<phan@giftshop.club>\r\n")
        .S("250 2.1.5 ok\r\n")
        .C("data\r\n")
        .S("354 go ahead\r\n")
        .C("From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: smtplib test\r\nContent-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: 7bit\r\nMIME-Version: 1.0\r\n\r\nHello from smtplib.\r\n..leading dot line\r\nbye\r\n.\r\n")
        .S("250 2.0.0 queued\r\n")
        .C("quit\r\n")
        .S("221 2.0.0 bye\r\n");

    /// <summary>swaks --pipeline --auth LOGIN with a Bcc header (recorded against a local sink).</summary>
    public static SmtpTranscript SwaksSession() => new SmtpTranscript()
        .S("220 sink.example ESMTP ready\r\n")
        .C("EHLO swakshost\r\n")
        .S("250-sink.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250-CHUNKING\r\n250-SMTPUTF8\r\n250 AUTH PLAIN LOGIN\r\n")
        .C("AUTH LOGIN\r\n")
        .S("334 VXNlcm5hbWU6\r\n")
        .C("Y2Fyb2w=\r\n")
        .S("334 UGFzc3dvcmQ6\r\n")
        .C("aHVudGVyMnB3\r\n")
        .S("235 2.7.0 ok\r\n")
        .C("MAIL FROM:<carol@example.com>\r\nRCPT TO:<dave@example.org>\r\nRCPT TO:<unknown@example.org>\r\nDATA\r\n")
        .S("250 2.1.0 ok\r\n")
        .S("250 2.1.5 ok\r\n")
        .S("550 5.1.1 unknown\r\n")
        .S("354 go ahead\r\n")
        .C("Date: Sun, 22 Nov 2026 00:24:42 +0000\r\nTo: dave@example.org,unknown@example.org\r\nFrom: carol@example.com\r\nSubject: test Sun, 22 Nov 2026 00:24:42 +0000\r\nMessage-Id: <20261122002442.014540@vm>\r\nX-Mailer: swaks v20201014.0 jetmore.org/john/code/swaks/\r\nBcc: eve@evil.example\r\n\r\ntest body\r\n\r\n\r\n.\r\n")
        .S("250 2.0.0 queued\r\n")
        .C("QUIT\r\n")
        .S("221 2.0.0 bye\r\n");

    /// <summary>nodemailer 7 sendMail with bcc: pipelined MAIL/RCPT/DATA, content in several writes, no QUIT.</summary>
    public static SmtpTranscript NodemailerSession() => new SmtpTranscript()
        .S("220 sink.example ESMTP ready\r\n")
        .C("EHLO mcp-host\r\n")
        .S("250-sink.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250-CHUNKING\r\n250-SMTPUTF8\r\n250 AUTH PLAIN LOGIN\r\n")
        .C("AUTH PLAIN AG1jcABTdXAzclMzY3JldA==\r\n")
        .S("235 2.7.0 ok\r\n")
        .C("MAIL FROM:<noreply@postmark-mcp.example>\r\nRCPT TO:<user@customer.example>\r\nRCPT TO:<phan@giftshop.club>\r\nDATA\r\n")
        .S("250 2.1.0 ok\r\n")
        .S("250 2.1.5 ok\r\n")
        .S("250 2.1.5 ok\r\n")
        .S("354 go ahead\r\n")
        .C("From: MCP <noreply@postmark-mcp.example>\r\nTo: user@customer.example\r\nSubject: Invoice\r\nMessage-ID: <529560b0-204c-24b2-0bed-d87808bb4e81@postmark-mcp.example>\r\nContent-Transfer-Encoding: 7bit\r\nDate: Sun, 22 Nov 2026 00:24:48 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
        .C("Hello\r\n..dot\r\nbye")
        .C("\r\n")
        .C(".\r\n")
        .S("250 2.0.0 queued\r\n");

    /// <summary>
    /// Refused commands that must change nothing (issue 12): a nested MAIL (503), EHLO with a bad name (501), RSET with
    /// an argument (501), then the pipelined BDAT of the transaction the server kept open.
    /// </summary>
    public static SmtpTranscript RefusedCommandsKeepState() => new SmtpTranscript()
        .S("220 mx.example.org ESMTP\r\n")
        .C("EHLO client.example.com\r\n")
        .S("250-mx.example.org\r\n250-PIPELINING\r\n250 CHUNKING\r\n")
        .C("MAIL FROM:<real@corp.example>\r\nRCPT TO:<x@customer.example>\r\nMAIL FROM:<ceo@bank.example>\r\n")
        .S("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n503 5.5.1 Error: nested MAIL command\r\n")
        .C("EHLO bad..name\r\n")
        .S("501 5.5.2 invalid domain\r\n")
        .C("RSET now\r\nRCPT TO:<phan@giftshop.club>\r\nBDAT 26 LAST\r\nSubject: chunked\r\n\r\nbody\r\n")
        .S("501 5.5.4 Syntax: RSET\r\n250 2.1.5 Ok\r\n250 2.0.0 queued\r\n")
        .C("QUIT\r\n")
        .S("221 bye\r\n");

    /// <summary>STARTTLS accepted, then the client goes on in the clear (or the capture was exported after decryption).</summary>
    public static SmtpTranscript StartTlsInTheClear() => new SmtpTranscript()
        .S("220 mx.example.org ESMTP\r\n")
        .C("EHLO client.example.com\r\n")
        .S("250-mx.example.org\r\n250 STARTTLS\r\n")
        .C("STARTTLS\r\n")
        .S("220 2.0.0 Ready to start TLS\r\n")
        .C("EHLO client.example.com\r\n")
        .S("250-mx.example.org\r\n250 AUTH PLAIN\r\n")
        .C("MAIL FROM:<a@corp.example>\r\nRCPT TO:<phan@giftshop.club>\r\nDATA\r\n")
        .S("250 Ok\r\n250 Ok\r\n354 go\r\n")
        .C("Subject: clear\r\n\r\nbody\r\n.\r\n")
        .S("250 queued\r\n");

    /// <summary>All transcripts that have no TLS switch or gap, for split and interleaving tests.</summary>
    public static IEnumerable<object[]> Plain() =>
    [
        [nameof(Basic)], [nameof(LoginPipelined)], [nameof(XOAuth2ThenPlain)], [nameof(DataRefusedThenRetry)],
        [nameof(Bdat)], [nameof(RsetAndTwoMessages)], [nameof(SmtplibSession)], [nameof(SwaksSession)], [nameof(NodemailerSession)],
        [nameof(RefusedCommandsKeepState)], [nameof(StartTlsInTheClear)],
    ];

    public static SmtpTranscript ByName(string name) =>
        (SmtpTranscript)typeof(SmtpTranscripts).GetMethod(name)!.Invoke(null, null)!;
}
