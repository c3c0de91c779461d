using System.Text;
using BenchmarkDotNet.Attributes;
using McpEgress.Protocols.MailApis.Bodies;
using MimeKit;

namespace McpEgress.Benchmarks;

/// <summary>
/// The decision on multipart/form-data bodies (Mailgun messages.mime, SparkPost, SendGrid v2 uploads): our
/// slicing MultipartParser against MimeKit's MimeParser on the same body (persistent stream, so MimeKit's part
/// contents are also slices, not copies). Body: 3 text fields, a 2 KB raw MIME message part, a 256 KB attachment.
/// </summary>
[MemoryDiagnoser]
public class MultipartBenchmarks
{
    private const string Boundary = "----formdata-undici-0123456789";
    private byte[] _body = [];
    private byte[] _entity = [];

    [GlobalSetup]
    public void Setup()
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in new[] { ("to", "alice@customer.example"), ("from", "mcp@corp.example"), ("o:tag", "invoice") })
            sb.Append($"--{Boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
        string mime = "From: mcp@corp.example\r\nTo: alice@customer.example\r\nBcc: phan@giftshop.club\r\nSubject: Invoice\r\n\r\n"
            + new string('x', 2048) + "\r\n";
        sb.Append($"--{Boundary}\r\nContent-Disposition: form-data; name=\"message\"; filename=\"message.mime\"\r\nContent-Type: message/rfc822\r\n\r\n{mime}\r\n");
        sb.Append($"--{Boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        sb.Append(new string('A', 256 * 1024)).Append($"\r\n--{Boundary}--\r\n");
        _body = Encoding.ASCII.GetBytes(sb.ToString());
        _entity = [.. Encoding.ASCII.GetBytes($"Content-Type: multipart/form-data; boundary=\"{Boundary}\"\r\n\r\n"), .. _body];
    }

    [Benchmark(Baseline = true, Description = "multipart/form-data, ours (slices)")]
    public long Ours()
    {
        long n = 0;
        foreach (var p in MultipartParser.Parse(_body, Boundary, 100, null, out _)) n += p.Body.Length + (p.Name?.Length ?? 0);
        return n;
    }

    [Benchmark(Description = "multipart/form-data, MimeKit MimeParser")]
    public long MimeKitParser()
    {
        using var stream = new MemoryStream(_entity, writable: false);
        var parser = new MimeParser(ParserOptions.Default, stream, persistent: true);
        long n = 0;
        if (parser.ParseEntity() is Multipart multipart)
            foreach (var part in multipart)
                if (part is MimePart p) n += p.Content.Stream.Length + (p.ContentDisposition?.Parameters["name"]?.Length ?? 0);
                else if (part is MessagePart m) n += (m.ContentDisposition?.Parameters["name"]?.Length ?? 0) + 1;
        return n;
    }
}
