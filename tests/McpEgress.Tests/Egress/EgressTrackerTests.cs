using McpEgress.Detection.Egress;
using McpEgress.Inventory;
using McpEgress.Mail;
using McpEgress.Protocols.Routing;
using McpEgress.Reassembly;
using McpEgress.Tests.Golden;
using static McpEgress.Tests.Detection.TestMessages;

namespace McpEgress.Tests.Egress;

/// <summary>
/// Per-server egress (<see cref="EgressTracker"/>): a destination is new once per server; a connection counts once
/// (open summary, or its end) and its bytes at the end; the table stays within its bounds and counts the overflow;
/// a process resolved after the flow joins by flow key; real captures give summaries with their SNI and bytes.
/// </summary>
public sealed class EgressTrackerTests
{
    private const long T0 = 1_758_794_472_000_000_000;

    internal static readonly ProcessFacts Postmark = new()
    {
        Pid = 4242, Name = "node", Executable = "/usr/bin/node", Package = "postmark-mcp", PackageVersion = "1.0.16",
        McpServer = "postmark", McpClient = "claude-desktop",
    };

    private static int _port = 40000;

    internal static FlowSummaryRecord Flow(string ip, ushort port, string? sni, ProcessFacts? process, bool closed = true,
        bool reportedOpen = false, long t = T0, long bytesOut = 100, long bytesIn = 1000, string? host = null, FlowKey? key = null) => new()
    {
        FlowId = 1, Key = key ?? new FlowKey(Ep("10.0.0.5", (ushort)Interlocked.Increment(ref _port)), Ep(ip, port)),
        StartTimestampNs = t, EndTimestampNs = t + 1_000_000_000, Closed = closed, ReportedOpen = reportedOpen,
        ServerName = sni, HttpHost = host, BytesOut = bytesOut, BytesIn = bytesIn, Process = process,
    };

    private static (EgressTracker Tracker, List<NewDestination> New, List<EgressRow> Deltas) Tracker(EgressOptions? options = null)
    {
        var tracker = new EgressTracker(options);
        var found = new List<NewDestination>();
        var deltas = new List<EgressRow>();
        tracker.NewDestinationFound = found.Add;
        tracker.Accounted = deltas.Add;
        return (tracker, found, deltas);
    }

    [Fact]
    public void ADestinationIsNewOncePerServer_ConnectionsAndBytesAddUp()
    {
        var (t, found, deltas) = Tracker();
        t.OnFlowSummary(Flow("203.0.113.7", 443, "Giftshop.CLUB.", Postmark));
        t.OnFlowSummary(Flow("203.0.113.7", 443, "giftshop.club", Postmark, t: T0 + 5_000_000_000, bytesOut: 50, bytesIn: 7));
        // Same name at another address (a CDN): a row of its own, not a new destination.
        t.OnFlowSummary(Flow("203.0.113.8", 443, "giftshop.club", Postmark));

        var d = Assert.Single(found);
        Assert.Equal(("claude-desktop", "postmark", "giftshop.club", "203.0.113.7", 443), (d.Row.Client, d.Row.Server, d.Row.Destination, d.Row.Ip, d.Row.Port));
        Assert.Equal(("postmark-mcp", "1.0.16"), (d.Row.Package, d.Row.Version));
        Assert.Equal(1, d.KnownDestinations);
        var rows = t.Snapshot();
        Assert.Equal(2, rows.Count);
        var first = rows.Single(r => r.Ip == "203.0.113.7");
        Assert.Equal((2L, 150L, 1007L), (first.Connections, first.BytesOut, first.BytesIn));
        Assert.Equal((T0, T0 + 6_000_000_000), (first.FirstSeenNs, first.LastSeenNs));
        Assert.Equal(3, deltas.Count); // one additive write per flow
        Assert.All(deltas, x => Assert.Equal(1, x.Connections));

        // Another port, an unnamed flow (its IP is the destination), another server: each new.
        t.OnFlowSummary(Flow("203.0.113.7", 8443, "giftshop.club", Postmark));
        t.OnFlowSummary(Flow("198.51.100.1", 25, null, Postmark));
        t.OnFlowSummary(Flow("203.0.113.7", 443, "giftshop.club", Postmark with { McpServer = "fetch", McpClient = "cursor" }));
        Assert.Equal(["giftshop.club", "198.51.100.1", "giftshop.club"], found.Skip(1).Select(x => x.Row.Destination.Length > 0 ? x.Row.Destination : x.Row.Ip));
        Assert.Equal(3, found[2].KnownDestinations);
        Assert.Equal([("claude-desktop", "postmark", 3), ("cursor", "fetch", 1)], t.DestinationCounts().Order());
    }

    [Fact]
    public void HttpHostAndTunnelTargetNameTheDestinationWhenThereIsNoSni()
    {
        var (t, found, _) = Tracker();
        t.OnFlowSummary(Flow("127.0.0.1", 8080, null, Postmark, host: "Collector.Example:8080"));
        Assert.Equal("collector.example", Assert.Single(found).Row.Destination);
        Assert.Equal("collector.example", found[0].Row.Destination);
    }

    [Fact]
    public void AnOpenSummaryCountsTheConnection_TheClosedOneItsBytes()
    {
        var (t, found, _) = Tracker();
        var key = new FlowKey(Ep("10.0.0.5", 50000), Ep("203.0.113.7", 443));
        t.OnFlowSummary(Flow("203.0.113.7", 443, "giftshop.club", Postmark, closed: false, bytesOut: 10, bytesIn: 0, key: key));
        Assert.Single(found); // at once, before the flow ends
        t.OnFlowSummary(Flow("203.0.113.7", 443, "giftshop.club", Postmark, closed: true, reportedOpen: true, bytesOut: 300, bytesIn: 4000, key: key));
        var row = Assert.Single(t.Snapshot());
        Assert.Equal((1L, 300L, 4000L), (row.Connections, row.BytesOut, row.BytesIn));
        Assert.Single(found);
    }

    [Fact]
    public void OtherSendersAreKeptWithoutEvents_AndInABoundOfTheirOwn()
    {
        var curl = new ProcessFacts { Pid = 7, Executable = "/usr/bin/curl" };
        var (t, found, _) = Tracker(new EgressOptions { MaxOtherSenders = 1 });
        t.OnFlowSummary(Flow("203.0.113.7", 443, "example.org", curl));
        t.OnFlowSummary(Flow("203.0.113.7", 443, "example.org", new ProcessFacts { Pid = 8, Executable = "/usr/bin/wget" }));
        t.OnFlowSummary(Flow("203.0.113.7", 443, "example.org", Postmark)); // an MCP server still gets in
        var rows = t.Snapshot();
        Assert.Equal(["/usr/bin/curl", "postmark"], rows.Select(r => r.Server));
        Assert.Equal("", rows[0].Client);
        Assert.Equal("postmark", Assert.Single(found).Row.Server);
        Assert.Equal(1, t.ServerOverflow);
    }

    [Fact]
    public void TheTableIsBounded_AndTheOverflowCounted()
    {
        var (t, found, _) = Tracker(new EgressOptions { MaxServers = 2, MaxDestinationsPerServer = 3 });
        for (int s = 0; s < 4; s++)
            for (int d = 0; d < 5; d++)
                t.OnFlowSummary(Flow($"203.0.113.{d + 1}", 443, $"d{d}.example", Postmark with { McpServer = "s" + s }));
        var rows = t.Snapshot();
        Assert.Equal(6, rows.Count);                               // 2 servers × 3 destinations
        Assert.Equal(["s0", "s1"], rows.Select(r => r.Server).Distinct());
        Assert.Equal(6, found.Count);                              // what is kept was new once
        Assert.Equal(2 * 5, t.ServerOverflow);                     // s2, s3: every flow
        Assert.Equal(2 * 2, t.DestinationOverflow);                // d3, d4 of s0 and s1
        // Already kept destinations keep counting.
        t.OnFlowSummary(Flow("203.0.113.1", 443, "d0.example", Postmark with { McpServer = "s0" }));
        Assert.Equal(2, t.Snapshot().First(r => r.Server == "s0" && r.Destination == "d0.example").Connections);
    }

    [Fact]
    public void ALateProcessJoinsByFlowKey()
    {
        var (t, found, deltas) = Tracker();
        var key = new FlowKey(Ep("10.0.0.5", 50001), Ep("203.0.113.7", 443));
        t.OnFlowSummary(Flow("203.0.113.7", 443, "giftshop.club", null, key: key));
        Assert.Empty(found);
        Assert.Empty(t.Snapshot());
        Assert.Equal(1, t.PendingFlows);

        t.OnSenderResolved(key, Postmark);
        var d = Assert.Single(found);
        Assert.Equal("giftshop.club", d.Row.Destination);
        Assert.Equal(4242, d.Process.Pid);
        var row = Assert.Single(t.Snapshot());
        Assert.Equal((1L, 100L, 1000L), (row.Connections, row.BytesOut, row.BytesIn));
        Assert.Equal((0, 1L), (t.PendingFlows, t.LateJoins));
        Assert.Single(deltas);
    }

    [Fact]
    public void AProcessResolvedWhileTheFlowIsOpenIsUsedByItsLaterSummaries()
    {
        var (t, found, _) = Tracker();
        var key = new FlowKey(Ep("10.0.0.5", 50002), Ep("203.0.113.7", 443));
        t.OnFlowSummary(Flow("203.0.113.7", 443, "giftshop.club", null, closed: false, key: key)); // named, process unknown
        t.OnSenderResolved(key, Postmark);                                                         // joins the open summary
        t.OnFlowSummary(Flow("203.0.113.7", 443, "giftshop.club", null, closed: true, reportedOpen: true, bytesOut: 9, bytesIn: 90, key: key));
        Assert.Single(found);
        var row = Assert.Single(t.Snapshot());
        Assert.Equal((1L, 9L, 90L), (row.Connections, row.BytesOut, row.BytesIn));

        // Both summaries before the process: one connection, the final bytes.
        var key2 = new FlowKey(Ep("10.0.0.5", 50003), Ep("198.51.100.9", 443));
        t.OnFlowSummary(Flow("198.51.100.9", 443, "collector.example", null, closed: false, key: key2));
        t.OnFlowSummary(Flow("198.51.100.9", 443, "collector.example", null, closed: true, reportedOpen: true, bytesOut: 5, bytesIn: 6, key: key2));
        Assert.Equal(1, t.PendingFlows);
        t.OnSenderResolved(key2, Postmark);
        var row2 = t.Snapshot().Single(r => r.Destination == "collector.example");
        Assert.Equal((1L, 5L, 6L), (row2.Connections, row2.BytesOut, row2.BytesIn));
        Assert.Equal(2, found.Count);
    }

    [Fact]
    public void PendingSummariesAreBounded()
    {
        var (t, _, _) = Tracker(new EgressOptions { MaxPendingFlows = 10 });
        for (int i = 0; i < 25; i++) t.OnFlowSummary(Flow("203.0.113.7", 443, "x.example", null));
        Assert.Equal(10, t.PendingFlows);
        Assert.Equal(15, t.PendingEvicted);
        // Without process attribution nothing waits (and nothing is counted as evicted).
        var (off, _, _) = Tracker(new EgressOptions { MaxPendingFlows = 0 });
        for (int i = 0; i < 25; i++) off.OnFlowSummary(Flow("203.0.113.7", 443, "x.example", null));
        Assert.Equal((0, 0L), (off.PendingFlows, off.PendingEvicted));
    }

    [Fact]
    public void TheInventoryNamesAServerTheFlowsFactsDoNot()
    {
        var (t, found, _) = Tracker();
        var bare = Postmark with { McpServer = null, McpClient = null };
        t.McpServers = new McpServerIndex([new McpServerState { Key = "k", Client = "claude-desktop", Name = "postmark", Package = "postmark-mcp", PackageType = "npm" }]);
        t.OnFlowSummary(Flow("203.0.113.7", 443, "giftshop.club", bare));
        Assert.Equal(("claude-desktop", "postmark"), (Assert.Single(found).Row.Client, found[0].Row.Server));
    }

    [Fact]
    public void RowsLoadedFromEarlierRunsAreNotNewAgain()
    {
        var (t, found, _) = Tracker();
        t.Load([new EgressRow("claude-desktop", "postmark", "postmark-mcp", "1.0.16", "giftshop.club", "203.0.113.9", 443, T0 - 1000, T0 - 10, 4, 40, 400)]);
        t.OnFlowSummary(Flow("203.0.113.7", 443, "giftshop.club", Postmark)); // known name, new IP: a row, no event
        Assert.Empty(found);
        t.OnFlowSummary(Flow("203.0.113.7", 443, "other.example", Postmark));
        Assert.Equal(2, Assert.Single(found).KnownDestinations);
    }

    [Fact]
    public void RealCapturesGiveOneClosedSummaryPerFlowWithItsSniAndBytes()
    {
        var pcap = Directory.EnumerateFiles(Path.Combine(RepoPaths.Captures, "tls"), "*.pcap").Order(StringComparer.Ordinal).First();
        var h = new ReplayHarness();
        h.Replay(pcap);
        Assert.NotEmpty(h.TlsSessions);
        foreach (var tls in h.TlsSessions)
        {
            var closed = Assert.Single(h.FlowSummaries, s => s.FlowId == tls.FlowId && s.Closed);
            Assert.Equal(tls.Info.ServerName, closed.ServerName);
            Assert.Equal(tls.Destination, closed.Destination);
            Assert.True(closed.BytesOut >= tls.Info.Bytes(FlowDirection.ClientToServer) && closed.BytesIn >= tls.Info.Bytes(FlowDirection.ServerToClient));
            if (tls.Info.ServerName is not null)
            {
                var open = Assert.Single(h.FlowSummaries, s => s.FlowId == tls.FlowId && !s.Closed);
                Assert.Equal(tls.Info.ServerName, open.ServerName);
                Assert.True(closed.ReportedOpen);
            }
        }
        // An HTTP capture names its flows by Host.
        var api = new ReplayHarness();
        api.Pipeline.KeyLog.LoadFile(Path.Combine(RepoPaths.Captures, "api", "postmark.keys"));
        api.Replay(Path.Combine(RepoPaths.Captures, "api", "postmark.pcap"));
        Assert.Contains(api.FlowSummaries, s => s.Closed && s.HttpHost is { } host && host.Contains("postmark", StringComparison.OrdinalIgnoreCase));
    }
}
