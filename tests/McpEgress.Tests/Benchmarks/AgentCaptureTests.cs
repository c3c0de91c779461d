using McpEgress.Benchmarks.Generator;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Benchmarks;

/// <summary>
/// The benchmark generator's expected counts (what it put in) hold for what the whole pipeline finds in a small
/// capture of each shape, so the yardstick cannot drift from the files it writes.
/// </summary>
public sealed class AgentCaptureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcp-egress-agent-capture-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(true, 3_000_000)]
    [InlineData(false, 2_000_000)]
    public void ExpectedCountsMatchTheReplay(bool bulk, long bytes)
    {
        var shape = bulk ? CaptureShape.Bulk : CaptureShape.MailHeavy;
        string pcap = Path.Combine(_dir, $"{shape}.pcap");
        var written = AgentCapture.Write(pcap, shape, bytes, RepoPaths.Captures, seed: 7);
        var expected = ExpectedCounts.TryLoad(pcap)!;
        Assert.Equal(written, expected);
        Assert.InRange(expected.Bytes, bytes * 9 / 10, bytes * 2);
        Assert.True(expected.SmtpMessages > 0 && expected.ApiMessages > 0 && expected.Alerts > 0);
        if (shape == CaptureShape.Bulk)
        {
            Assert.True(expected.UnkeyedTlsFlows > 0);
            Assert.InRange((double)expected.BulkBytes / (expected.BulkBytes + expected.MailBytes), 0.9, 0.97);
        }
        else Assert.Equal(0, expected.UnkeyedTlsFlows);

        var h = new ReplayHarness();
        h.Pipeline.KeyLog.LoadFile(AgentCapture.KeylogPathFor(pcap));
        h.Replay(pcap);

        Assert.Empty(h.Errors);
        var s = h.Pipeline.Stats;
        Assert.Equal(expected.Packets, s.Packets);
        Assert.Equal(expected.Flows, h.Pipeline.Reassembler.FlowsOpened);
        Assert.Equal(expected.Messages, s.Messages);
        Assert.Equal(expected.SmtpMessages, h.Results.Count(r => r.Message.Transport == McpEgress.Mail.MailTransport.Smtp));
        // The expected counts cover the stateless rules; baseline rules add alerts that depend on what came before.
        Assert.Equal(expected.Alerts, h.Results.Sum(r => r.Alerts.Count(a => McpEgress.Tests.Golden.ExpectedCapture.DefaultRules.Contains(a.RuleId))));
        Assert.Equal(expected.ApiRequests, h.Pipeline.Router.Counters.HttpRequests);
        Assert.Equal(expected.KeyedTlsFlows, s.TlsDecrypted);
        Assert.Equal(expected.UnkeyedTlsFlows, s.TlsOpaque);
    }
}
