using McpEgress.Pipeline;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Pipeline;

/// <summary>
/// Sharding flows across workers must not change a thing: every capture in captures/ (with its key log when it has
/// one) replayed with 1 and with 3 workers gives byte-identical NDJSON, the same counters, anomalies and alerts by rule.
/// </summary>
public sealed class WorkerCountEquivalenceTests
{
    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(RepoPaths.Captures, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            if (!f.Contains("node_modules", StringComparison.Ordinal)
                && (f.EndsWith(".pcap", StringComparison.Ordinal) || f.EndsWith(".pcapng", StringComparison.Ordinal)))
                data.Add(Path.GetRelativePath(RepoPaths.Captures, f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void ThreeWorkersGiveWhatOneGives(string capture)
    {
        var one = Run(capture, 1);
        var three = Run(capture, 3);
        Assert.Contains(" errors 0 ", one.Summary, StringComparison.Ordinal);
        // The flows were really spread: with several flows, more than one worker owned packets.
        if (one.Flows >= 6) Assert.True(three.BusyWorkers >= 2, $"{capture}: {one.Flows} flows, all on one worker");
        Assert.Equal(one.Summary, three.Summary);
        Assert.Equal(one.Ndjson, three.Ndjson);
    }

    /// <summary>
    /// Every capture in one run (one continuous capture): many flows at once, expiring and reusing tuples. Also with
    /// an idle timeout of 20 ms and no linger, so flows time out in the middle of their conversations everywhere and
    /// are picked up again mid-stream: the expiry order across workers is exercised at every packet.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    public void AllCapturesInOneRunGiveTheSameForTwoAndFourWorkers(int idleTimeoutMs)
    {
        var files = Captures().Cast<object[]>().Select(row => Path.Combine(RepoPaths.Captures, (string)row[0])).ToArray();
        (string Ndjson, string Summary, int Busy, long Flows) RunAll(int workers, int idleMs)
        {
            var options = new PipelineOptions();
            if (idleMs > 0)
            {
                options.Reassembly.IdleTimeout = TimeSpan.FromMilliseconds(idleMs);
                options.Reassembly.ClosedFlowLinger = TimeSpan.Zero;
            }
            var h = new ReplayHarness(options, workers: workers);
            using var pipeline = h.Pipeline;
            foreach (var f in files)
                if (File.Exists(Path.ChangeExtension(f, ".keys"))) pipeline.KeyLog.LoadFile(Path.ChangeExtension(f, ".keys"));
            h.Replay(files);
            return (h.Ndjson, Summary(pipeline), pipeline.Stages.Count(st => st.Stats.TcpSegments > 0), pipeline.FlowsOpened);
        }
        var one = RunAll(1, idleTimeoutMs);
        // The short timeout really cut flows: they were picked up again, so more flows were opened.
        if (idleTimeoutMs > 0)
        {
            long untimed = RunAll(1, 0).Flows;
            Assert.True(one.Flows > untimed, $"{one.Flows} flows with a {idleTimeoutMs} ms idle timeout, {untimed} without");
        }
        foreach (int n in new[] { 2, 4 })
        {
            var many = RunAll(n, idleTimeoutMs);
            Assert.Equal(n, many.Busy);
            Assert.Equal(one.Summary, many.Summary);
            Assert.Equal(one.Ndjson, many.Ndjson);
        }
    }

    internal static (string Ndjson, string Summary, long Flows, int BusyWorkers) Run(string capture, int workers)
    {
        var path = Path.Combine(RepoPaths.Captures, capture);
        var keys = Path.ChangeExtension(path, ".keys");
        var h = new ReplayHarness(workers: workers);
        using var pipeline = h.Pipeline;
        if (File.Exists(keys)) pipeline.KeyLog.LoadFile(keys);
        h.Replay(path);
        return (h.Ndjson, Summary(pipeline) + string.Join(";", h.Errors), pipeline.FlowsOpened,
            pipeline.Stages.Count(st => st.Stats.TcpSegments > 0));
    }

    internal static string Summary(MonitorPipeline p)
    {
        var s = p.Stats;
        var r = p.ProtocolCounters;
        return $"packets {s.Packets} bytes {s.Bytes} tcp {s.TcpSegments} nontcp {s.NonTcpPackets} malformed {s.MalformedPackets} " +
            $"messages {s.Messages} alerts {s.Alerts}/{s.CriticalAlerts}/{s.HighAlerts} errors {s.InternalErrors} " +
            $"tls {s.TlsDecrypted}/{s.TlsOpaque} unreadable {s.MailApiUnreadable} flows {p.FlowsOpened} " +
            $"smtp {r.SmtpFlows} tls {r.TlsFlows} http {r.HttpFlows} unidentified {r.UnidentifiedFlows} tunnels {r.TunnelRequests} " +
            $"rules {string.Join(",", s.AlertsByRule.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key}={x.Value}"))} " +
            $"anomalies {string.Join(",", p.Anomalies.Snapshot().Select(a => $"{a.Key.Stage}/{a.Key.Name}={a.Value}"))}";
    }
}
