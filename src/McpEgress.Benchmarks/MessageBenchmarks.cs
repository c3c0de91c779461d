using System.Text;
using BenchmarkDotNet.Attributes;
using McpEgress.Detection;
using McpEgress.Export;
using McpEgress.Mail;
using McpEgress.Protocols.Imf;

namespace McpEgress.Benchmarks;

/// <summary>Per-message costs after the SMTP parser: header block, detection, ECS event.</summary>
[MemoryDiagnoser]
public class MessageBenchmarks
{
    private readonly byte[] _headers = Encoding.ASCII.GetBytes(
        "From: MCP Agent <mcp@corp.example>\r\nTo: Alice <alice@customer.example>\r\nCc: bob@corp.example\r\n" +
        "Subject: Invoice 42\r\nMessage-ID: <42@corp.example>\r\nMIME-Version: 1.0\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n");
    private readonly DetectionEngine _engine = new(DetectionPolicy.Default);
    private readonly EcsEventWriter _writer = new(Stream.Null);
    private MailMessage _message = null!;

    [GlobalSetup]
    public void Setup()
    {
        var h = MessageHeaders.Parse(_headers);
        _message = new MailMessage
        {
            Transport = MailTransport.Smtp,
            From = h.From, To = h.To, Cc = h.Cc, Subject = h.Subject, MessageId = h.MessageId,
            Envelope = new SmtpEnvelope
            {
                MailFrom = "mcp@corp.example",
                RcptTo = [new("alice@customer.example", 250), new("bob@corp.example", 250), new("phan@giftshop.club", 250)],
            },
        };
    }

    [Benchmark(Description = "parse header block (7 fields)")]
    public int ParseHeaders() => MessageHeaders.Parse(_headers).To.Count;

    [Benchmark(Description = "MimeKit header split only (7 fields)")]
    public int SplitHeaders() => MimeHeaderBlock.Parse(_headers, ImfOptions.Default, null).Count;

    [Benchmark(Description = "detection rules on one message")]
    public int Detect() => _engine.Evaluate(_message).Count;

    [Benchmark(Description = "ECS message event")]
    public void WriteEvent() => _writer.WriteMessage(_message);
}
