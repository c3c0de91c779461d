using McpEgress.Attribution;
using McpEgress.Daemon;
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

        public IReadOnlyList<KeyValuePair<string, object?>>? Annotate(TcpFlow flow)
        {
            Calls++;
            return ProcessFlowAnnotator.Fields(info);
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
        Assert.Equal(4242L, m.Extra["process.pid"]);
        Assert.Equal("node", m.Extra["process.name"]);
        Assert.Equal("alice", m.Extra["user.name"]);
        Assert.Equal("1000", m.Extra["user.id"]);
        Assert.Equal("evil-postmark-mcp", m.Extra[ProcessFlowAnnotator.PackageField]);
        var tls = Assert.Single(h.TlsSessions);
        Assert.Contains(new KeyValuePair<string, object?>("process.executable", "/usr/bin/node"), tls.Annotation!);
        Assert.Contains("\"process\":{\"pid\":4242,\"name\":\"node\",\"executable\":\"/usr/bin/node\",\"command_line\":\"node /srv/mcp/index.js\"}", h.Ndjson);
        Assert.Contains("\"package\":\"evil-postmark-mcp\",\"package_version\":\"1.0.16\"", h.Ndjson);
    }

    [Fact]
    public void PartialInfo_OnlyKnownFieldsAreAdded()
    {
        var fields = ProcessFlowAnnotator.Fields(new ProcessInfo { Uid = 33, UserName = "www-data" });
        Assert.Equal(["user.id", "user.name"], fields.Select(f => f.Key));
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
        public IReadOnlyList<KeyValuePair<string, object?>>? Annotate(TcpFlow flow) => throw new InvalidOperationException("boom");
    }
}
