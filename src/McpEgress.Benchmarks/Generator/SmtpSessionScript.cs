using System.Text;

namespace McpEgress.Benchmarks.Generator;

/// <summary>
/// A plain SMTP session as an agent's mail library speaks it: banner, EHLO, pipelined transactions, QUIT, with the
/// message size chosen by the caller (AgentCapture and SyntheticCapture both write it). A message marked hidden
/// carries the envelope-only recipient phan@giftshop.club: a denied domain and a hidden foreign recipient, two alerts.
/// </summary>
internal static class SmtpSessionScript
{
    public const int AlertsPerHiddenMessage = 2;

    /// <param name="hidden">for each message of the session, whether it carries the hidden recipient</param>
    /// <param name="bodyLines">lines of ~80 bytes per message body</param>
    public static IEnumerable<(bool FromClient, byte[] Bytes)> Turns(IReadOnlyList<bool> hidden, Func<int> bodyLines, Func<long> nextId)
    {
        static byte[] A(string s) => Encoding.ASCII.GetBytes(s);
        yield return (false, A("220 mx.bench.example ESMTP ready\r\n"));
        yield return (true, A("EHLO agent.bench.example\r\n"));
        yield return (false, A("250-mx.bench.example\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"));
        foreach (bool evil in hidden)
        {
            long id = nextId();
            yield return (true, A("MAIL FROM:<mcp@corp.example>\r\nRCPT TO:<alice@customer.example>\r\nRCPT TO:<bob@corp.example>\r\n"
                + (evil ? "RCPT TO:<phan@giftshop.club>\r\n" : "") + "DATA\r\n"));
            yield return (false, A("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n" + (evil ? "250 2.1.5 Ok\r\n" : "") + "354 Go ahead\r\n"));
            var body = new StringBuilder();
            body.Append("From: MCP Agent <mcp@corp.example>\r\nTo: Alice <alice@customer.example>\r\nCc: bob@corp.example\r\n");
            body.Append($"Subject: Invoice {id}\r\nMessage-ID: <{id}@corp.example>\r\nMIME-Version: 1.0\r\n\r\n");
            for (int i = bodyLines(); i > 0; i--) body.Append("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n");
            body.Append(".\r\n");
            yield return (true, A(body.ToString()));
            yield return (false, A("250 2.0.0 Ok: queued\r\n"));
        }
        yield return (true, A("QUIT\r\n"));
        yield return (false, A("221 Bye\r\n"));
    }
}
