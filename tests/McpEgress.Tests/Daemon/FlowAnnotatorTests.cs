using McpEgress.Attribution;
using McpEgress.Daemon;
using McpEgress.Export;
using McpEgress.Mail;
using McpEgress.Attribution;
using McpEgress.Protocols.Routing;
using McpEgress.Protocols.Tls;
using McpEgress.Reassembly;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Daemon;

/// <summary>The <see cref="IFlowAnnotator"/> hook: facts given at flow open reach every message and TLS event of that flow.</summary>
public class FlowAnnotatorTests
{
    private sealed class FixedAnnotator(ProcessInfo info) : IFlowAnnotator
    {
        public int Calls;

        public ProcessFacts? Annotate(TcpFlow flow)
        {
            Calls++;
            return ProcessFlowAnnotator.Facts(info);
        }
    }

    private static readonly ProcessInfo Node = new()
    {
        Pid = 4242, Executable = "/usr/bin/node", CommandLine = "node /srv/mcp/index.js", Uid = 1000, UserName = "alice",
        PackageName = "evil-postmark-mcp", PackageVersion = "1.0.16",
    };

    [Fact]
    public void ImplicitTlsSmtp_MessageAndTlsEvent_CarryTheProcess()
    {
        var h = new ReplayHarness();
        var annotator = new FixedAnnotator(Node);
        h.Pipeline.Router.Annotator = annotator;
        h.Pipeline.KeyLog.LoadFile(Path.Combine(RepoPaths.Captures, "smtp", "nodemailer-implicit-tls.keys"));
        h.Replay(Path.Combine(RepoPaths.Captures, "smtp", "nodemailer-implicit-tls.pcap"));

        Assert.Equal(1, annotator.Calls);
        var m = Assert.Single(h.Results).Message;
        Assert.Equal(4242, m.Process?.Pid);
        Assert.Equal("node", m.Process?.Name);
        Assert.Equal("alice", m.Process?.UserName);
        Assert.Equal(1000u, m.Process?.UserId);
        Assert.Equal("evil-postmark-mcp", m.Process?.Package);
        var tls = Assert.Single(h.TlsSessions);
        Assert.Equal("/usr/bin/node", tls.Process?.Executable);
        Assert.Contains("\"user\":{\"id\":\"1000\",\"name\":\"alice\"}", h.Ndjson);
        Assert.Contains("\"process\":{\"pid\":4242,\"name\":\"node\",\"executable\":\"/usr/bin/node\",\"command_line\":\"node /srv/mcp/index.js\"}", h.Ndjson);
        Assert.Contains("\"package\":\"evil-postmark-mcp\",\"package_version\":\"1.0.16\"", h.Ndjson);
    }

    /// <summary>Records which flows the protocol stage reported as carrying mail (<see cref="IFlowAnnotator.OnMailFlow"/>).</summary>
    private sealed class MailFlowRecorder : IFlowAnnotator
    {
        public readonly List<long> Opened = [], Mail = [];
        public ProcessFacts? Annotate(TcpFlow flow) { Opened.Add(flow.Id); return null; }
        public void OnMailFlow(TcpFlow flow) => Mail.Add(flow.Id);
    }

    [Theory]
    [InlineData("smtp/nodemailer-envelope-hidden.pcap", false)]   // the SMTP probe
    [InlineData("api/mcp-postmark-incident.pcap", false)]          // TLS with SNI api.postmarkapp.com, no keys: nothing decrypted
    [InlineData("proxy/postmark-connect.pcap", false)]             // a CONNECT tunnel to api.postmarkapp.com, no keys
    [InlineData("proxy/smtp-socks5.pcap", false)]                   // SMTP inside a SOCKS5 tunnel
    [InlineData("api/mcp-postmark-incident.pcap", true)]           // decrypted: the API request too (still once per flow)
    public void MailFlows_AreReportedOncePerFlow_BeforeAnythingIsDecrypted(string capture, bool keys)
    {
        var h = new ReplayHarness();
        var recorder = new MailFlowRecorder();
        h.Pipeline.Router.Annotator = recorder;
        string path = Path.Combine(RepoPaths.Captures, capture);
        if (keys) h.Pipeline.KeyLog.LoadFile(Path.ChangeExtension(path, ".keys"));
        h.Replay(path);

        Assert.NotEmpty(recorder.Mail);
        Assert.Equal(recorder.Mail.Count, recorder.Mail.Distinct().Count());
        Assert.All(recorder.Mail, id => Assert.Contains(id, recorder.Opened));
        // Every flow a message came from was reported.
        foreach (var (m, _) in h.Results) Assert.Contains(m.FlowId, recorder.Mail);
        if (!keys && capture.StartsWith("api/", StringComparison.Ordinal)) Assert.Empty(h.Results);
    }

    [Fact]
    public void PartialInfo_OnlyKnownFieldsAreAdded()
    {
        var m = new MailMessage { Transport = MailTransport.Smtp, Process = ProcessFlowAnnotator.Facts(new ProcessInfo { Uid = 33, UserName = "www-data" }) };
        var stream = new MemoryStream();
        using (var w = new EcsEventWriter(stream, new EcsWriterOptions { LeaveOpen = true })) w.WriteMessage(m);
        var e = System.Text.Json.JsonDocument.Parse(stream.ToArray()).RootElement;
        Assert.Equal("{\"id\":\"33\",\"name\":\"www-data\"}", e.GetProperty("user").GetRawText());
        Assert.False(e.TryGetProperty("process", out _)); // no pid, name, executable or command line known
        Assert.False(e.GetProperty("mcp_egress").TryGetProperty("process", out _));
    }

    [Fact]
    public void AnnotatorThatThrows_IsCountedNotFatal()
    {
        var h = new ReplayHarness();
        h.Pipeline.Router.Annotator = new Throwing();
        h.Replay(Path.Combine(RepoPaths.Captures, "smtp", "nodemailer-envelope-hidden.pcap"));
        Assert.Single(h.Results);
        Assert.True(h.Pipeline.Anomalies.Get("pipeline", "annotator_error") >= 1);
    }

    private sealed class Throwing : IFlowAnnotator
    {
        public ProcessFacts? Annotate(TcpFlow flow) => throw new InvalidOperationException("boom");
    }
}
