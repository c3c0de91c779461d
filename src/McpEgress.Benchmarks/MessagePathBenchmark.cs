using System.Diagnostics;
using System.Globalization;
using System.Text;
using McpEgress.Decode;
using McpEgress.Diagnostics;
using McpEgress.Mail;
using McpEgress.Protocols.Routing;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;

namespace McpEgress.Benchmarks;

/// <summary>
/// The shard worker's message path alone: the protocol router fed the plaintext of the mail-heavy capture's two kinds of
/// message (an SMTP transaction as <see cref="Generator.SmtpSessionScript"/> writes it, a Postmark /email call as the
/// official client sends it, over plain HTTP/1.1 so no TLS is involved), each in a flow of its own, with a sink that
/// drops the messages. Prints µs and bytes allocated per message (this thread), best of a few rounds.
/// </summary>
internal static class MessagePathBenchmark
{
    private sealed class DropSink : IProtocolEventSink
    {
        public long Messages;
        public void OnMessage(MailMessage message) => Messages++;
        public void OnTlsSession(TlsSessionRecord record) { }
        public void OnMailApiUnreadable(MailApiUnreadableRecord record) { }
        public void OnFlowSummary(FlowSummaryRecord record) { }
    }

    private static readonly Endpoint Client = new(IpAddress16.FromV4([10, 0, 0, 5]), 40000);

    public static int Run(int messages)
    {
        Console.WriteLine($"message path, {messages} messages per round, µs and bytes allocated per message (best of 5):");
        Part("MessageHeaders.Parse of the SMTP header block", () => McpEgress.Protocols.Imf.MessageHeaders.Parse(SmtpTurns[5]));
        Part("MimeHeaderBlock.Parse of the SMTP header block", () => McpEgress.Protocols.Imf.MimeHeaderBlock.Parse(SmtpTurns[5], McpEgress.Protocols.Imf.ImfOptions.Default, null));
        var extractor = new McpEgress.Protocols.MailApis.MailApiExtractor(McpEgress.Protocols.MailApis.MailApiOptions.Default, new AnomalyCounters());
        var request = new McpEgress.Protocols.Http.HttpRequestRecord
        {
            Version = "HTTP/1.1", Method = "POST", Target = "/email", Authority = "api.postmarkapp.com", ContentType = "application/json",
            Headers = [new("Host", "api.postmarkapp.com"), new("Content-Type", "application/json")],
            Body = PostmarkSingleTurns[0].AsMemory(PostmarkSingleTurns[0].AsSpan().IndexOf("\r\n\r\n"u8) + 4), ResponseStatus = 200,
        };
        Part("MailApiExtractor.Extract of a Postmark /email", () => extractor.Extract(request, "api.postmarkapp.com")!);
        Measure("SMTP transaction (3 recipients, 6 header fields)", messages, Smtp);
        Measure("Postmark /email (From, To, Bcc, Subject)", messages, PostmarkSingle);
        Measure("Postmark /email/batch (2 messages)", messages / 2, PostmarkBatch, perFlow: 2);
        return 0;
    }

    private static readonly byte[][] SmtpTurns =
    [
        A("220 mx.bench.example ESMTP ready\r\n"),
        A("EHLO agent.bench.example\r\n"),
        A("250-mx.bench.example\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"),
        A("MAIL FROM:<mcp@corp.example>\r\nRCPT TO:<alice@customer.example>\r\nRCPT TO:<bob@corp.example>\r\nRCPT TO:<phan@giftshop.club>\r\nDATA\r\n"),
        A("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 Go ahead\r\n"),
        A("From: MCP Agent <mcp@corp.example>\r\nTo: Alice <alice@customer.example>\r\nCc: bob@corp.example\r\n" +
          "Subject: Invoice 42\r\nMessage-ID: <42@corp.example>\r\nMIME-Version: 1.0\r\n\r\n" +
          string.Concat(Enumerable.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n", 20)) + ".\r\n"),
        A("250 2.0.0 Ok: queued\r\n"),
        A("QUIT\r\n"),
        A("221 Bye\r\n"),
    ];

    private static readonly byte[][] PostmarkSingleTurns = Http("/email",
        """{"From":"assistant@corp.example","To":"ceo@corp.example","Bcc":"phan@giftshop.club","Subject":"Daily summary","TextBody":"The daily summary is attached.","MessageStream":"outbound"}""");

    private static readonly byte[][] PostmarkBatchTurns = Http("/email/batch",
        """[{"From":"assistant@corp.example","To":"ceo@corp.example","Bcc":"phan@giftshop.club","Subject":"Daily summary","TextBody":"One."},""" +
        """{"From":"Assistant <assistant@corp.example>","To":"cfo@corp.example, ceo@corp.example","Subject":"Weekly summary","TextBody":"Two."}]""");

    private static byte[] A(string s) => Encoding.ASCII.GetBytes(s);

    private static byte[][] Http(string path, string json)
    {
        byte[] body = Encoding.UTF8.GetBytes(json);
        string head = $"POST {path} HTTP/1.1\r\nAccept: application/json\r\nX-Postmark-Server-Token: 00000000-0000-0000-0000-000000000000\r\n" +
            $"User-Agent: Postmark.JS - 4.0.5\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nHost: api.postmarkapp.com\r\nConnection: keep-alive\r\n\r\n";
        string reply = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 2\r\n\r\n{}";
        return [[.. A(head), .. body], A(reply)];
    }

    private static void Smtp(ProtocolRouter router, long id) => Flow(router, id, 25, SmtpTurns, serverFirst: true);
    private static void PostmarkSingle(ProtocolRouter router, long id) => Flow(router, id, 80, PostmarkSingleTurns, serverFirst: false);
    private static void PostmarkBatch(ProtocolRouter router, long id) => Flow(router, id, 80, PostmarkBatchTurns, serverFirst: false);

    private static void Flow(ProtocolRouter router, long id, ushort port, byte[][] turns, bool serverFirst)
    {
        var flow = new TcpFlow(id, new FlowKey(new Endpoint(Client.Address, (ushort)(40000 + id % 20000)), new Endpoint(IpAddress16.FromV4([10, 100, 0, 43]), port)), id, false);
        router.OnFlowOpened(flow);
        var direction = serverFirst ? FlowDirection.ServerToClient : FlowDirection.ClientToServer;
        foreach (var t in turns)
        {
            router.OnData(flow, direction, t, id);
            direction = direction == FlowDirection.ClientToServer ? FlowDirection.ServerToClient : FlowDirection.ClientToServer;
        }
        router.OnFlowClosed(flow, FlowCloseReason.Fin, id);
    }

    private static void Part(string what, Func<object> run)
    {
        for (int i = 0; i < 200; i++) run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 20000; i++) run();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what,-52} {sw.Elapsed.TotalMicroseconds / 20000,7:F2} µs  {(GC.GetAllocatedBytesForCurrentThread() - before) / 20000,7} B"));
    }

    private static void Measure(string what, int flows, Action<ProtocolRouter, long> run, int perFlow = 1)
    {
        var sink = new DropSink();
        var router = new ProtocolRouter(new ProtocolSettings(), new TlsKeyLog(), sink, new AnomalyCounters());
        for (int i = 0; i < 200; i++) run(router, i); // JIT and statics first
        double bestUs = double.MaxValue;
        long bestBytes = long.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            long messagesBefore = sink.Messages;
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < flows; i++) run(router, i);
            sw.Stop();
            long n = sink.Messages - messagesBefore;
            if (n != (long)flows * perFlow) throw new InvalidOperationException($"{what}: {n} messages, expected {flows * perFlow}");
            bestUs = Math.Min(bestUs, sw.Elapsed.TotalMicroseconds / n);
            bestBytes = Math.Min(bestBytes, (GC.GetAllocatedBytesForCurrentThread() - before) / n);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what,-52} {bestUs,7:F2} µs  {bestBytes,7} B per message (flow included)"));
    }
}
