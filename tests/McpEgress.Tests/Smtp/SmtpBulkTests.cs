namespace McpEgress.Tests.Smtp;

public class SmtpBulkTests
{
    /// <summary>300 pipelined RCPT (a bulk Bcc): more than MaxPendingCommands in flight when the client is fed first.</summary>
    [Fact]
    public void Bulk_pipelined_recipients_survive_any_feeding_order()
    {
        var rcpts = Enumerable.Range(0, 300).Select(i => $"r{i}@bulk.example").ToArray();
        var t = new SmtpTranscript()
            .S("220 mx ESMTP\r\n")
            .C("EHLO c\r\n")
            .S("250-mx\r\n250 PIPELINING\r\n")
            .C("MAIL FROM:<a@x.org>\r\n" + string.Concat(rcpts.Select(r => $"RCPT TO:<{r}>\r\n")) + "DATA\r\n")
            .S("250 ok\r\n" + string.Concat(rcpts.Select((r, i) => i % 7 == 0 ? "550 no\r\n" : "250 ok\r\n")) + "354 go\r\n")
            .C("Subject: bulk\r\n\r\nhi\r\n.\r\nQUIT\r\n")
            .S("250 queued\r\n221 bye\r\n");

        string Run(IEnumerable<(McpEgress.Reassembly.FlowDirection, byte[])> chunks)
        {
            var h = new SmtpHarness();
            foreach (var (d, b) in chunks) h.Feed(d, b, 0);
            h.Session.OnClose(0);
            Assert.Equal(0, h.Anomalies.Total);
            return SmtpHarness.Describe(h.Transactions);
        }

        string wire = Run(t.Steps);
        Assert.Contains("r299@bulk.example/250", wire);
        Assert.Contains("r7@bulk.example/550", wire);
        Assert.Equal(wire, Run([(McpEgress.Reassembly.FlowDirection.ClientToServer, t.ClientStream), (McpEgress.Reassembly.FlowDirection.ServerToClient, t.ServerStream)]));
        Assert.Equal(wire, Run([(McpEgress.Reassembly.FlowDirection.ServerToClient, t.ServerStream), (McpEgress.Reassembly.FlowDirection.ClientToServer, t.ClientStream)]));
    }
}
