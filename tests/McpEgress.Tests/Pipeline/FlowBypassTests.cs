using McpEgress.Benchmarks.Generator;
using McpEgress.Capture;
using McpEgress.Capture.Live;
using McpEgress.Pipeline;
using McpEgress.Protocols.Routing;
using McpEgress.Reassembly;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Pipeline;

/// <summary>
/// Issue 15 item 4: a bypass only skips work. Every golden capture and a bulk capture of unkeyed TLS uploads give the
/// same NDJSON (messages, alerts, TLS session events, byte for byte) with flow bypass off, on, and on with a live
/// capture's shedding (the real <see cref="FlowBypassTable"/> triage dropping bypassed flows' packets before the
/// pipeline); and each decision case: what is bypassed, what is kept, what is never bypassed.
/// </summary>
public sealed class FlowBypassTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mcp-egress-bypass-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> GoldenFiles() => GoldenCaptureTests.ExpectedFiles();

    /// <summary>The verdicts the reassembler published, per flow (its client endpoint's port names it in these captures).</summary>
    private sealed class RecordingSink(bool shed) : IFlowVerdictSink
    {
        public Dictionary<FlowKey, FlowVerdict> Verdicts { get; } = [];
        public int Forgotten { get; private set; }
        public bool OnVerdict(FlowKey flow, FlowVerdict verdict)
        {
            Verdicts[flow] = verdict;
            return shed && verdict == FlowVerdict.Bypass;
        }
        public void OnForget(FlowKey flow) => Forgotten++;
    }

    private static PipelineOptions Options(bool bypass) =>
        new() { Protocols = new ProtocolSettings { Protocol = new ProtocolOptions { FlowBypass = bypass } } };

    /// <summary>Replays as the CLI does (key log complete when the capture can bring no secrets); with a table, sheds like live capture.</summary>
    private static ReplayHarness Run(string pcap, string? keys, bool bypass, FlowBypassTable? table = null, IFlowVerdictSink? sink = null)
    {
        var h = new ReplayHarness(Options(bypass));
        if (keys is not null) h.Pipeline.KeyLog.LoadFile(keys);
        h.Pipeline.KeyLog.Complete = !CaptureSecretsProbe.MayCarrySecrets(pcap);
        if (table is null)
        {
            h.Pipeline.Reassembler.VerdictSink = sink;
            return h.Replay(pcap);
        }
        h.Pipeline.Reassembler.VerdictSink = table;
        var triage = table.CreateTriage();
        using var reader = CaptureFile.Open(pcap, h.Pipeline.Options.Capture, new KeyLogSecretsSink(h.Pipeline.KeyLog), h.Pipeline.Anomalies);
        while (reader.TryReadPacket(out var packet))
        {
            if (triage.Classify(packet) == PacketTriage.Bypass) { Shed++; continue; }
            h.Pipeline.Process(packet);
        }
        h.Pipeline.Finish();
        return h;
    }

    [ThreadStatic] private static long Shed;

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public void GoldenCapture_SameEventsWithAndWithoutBypass(string expectedFile)
    {
        var path = Path.Combine(RepoPaths.Captures, expectedFile);
        var dir = Path.GetDirectoryName(path)!;
        var expected = ExpectedCapture.Load(path);
        string pcap = Path.Combine(dir, expected.Capture);
        string? keys = expected.KeyLog is { } k ? Path.Combine(dir, k) : null;

        string full = Run(pcap, keys, bypass: false).Ndjson;
        Assert.NotEmpty(full);
        Assert.Equal(full, Run(pcap, keys, bypass: true).Ndjson);
        Assert.Equal(full, Run(pcap, keys, bypass: true, new FlowBypassTable()).Ndjson);
    }

    [Fact]
    public void BulkCapture_UnkeyedUploadsAreBypassedAndShed_EventsUnchanged()
    {
        string pcap = Path.Combine(_dir, "bulk.pcap");
        var written = AgentCapture.Write(pcap, CaptureShape.Bulk, 3_000_000, RepoPaths.Captures, seed: 11);
        string keys = AgentCapture.KeylogPathFor(pcap);

        var full = Run(pcap, keys, bypass: false);
        var bypassed = Run(pcap, keys, bypass: true);
        Shed = 0;
        var table = new FlowBypassTable();
        var shed = Run(pcap, keys, bypass: true, table);

        Assert.Equal(full.Ndjson, bypassed.Ndjson);
        Assert.Equal(full.Ndjson, shed.Ndjson);
        Assert.Equal(written.Messages, full.Results.Count);

        // Every unkeyed upload was bypassed, and most of the capture's packets were followed for sequence numbers only.
        Assert.Equal(0, full.Pipeline.Router.Counters.BypassedFlows);
        Assert.Equal(0, full.Pipeline.Stats.BypassedPackets);
        Assert.Equal(written.UnkeyedTlsFlows, bypassed.Pipeline.Router.Counters.BypassedFlows);
        Assert.True(bypassed.Pipeline.Stats.BypassedPackets > bypassed.Pipeline.Stats.Packets / 2);
        Assert.True(bypassed.Pipeline.Stats.BypassedBytes > written.BulkBytes / 2);
        // A bypass is not a drop: nothing was lost, no gap declared.
        Assert.Equal(0, bypassed.Pipeline.Reassembler.Gaps);
        Assert.Equal(0, shed.Pipeline.Reassembler.Gaps);
        // With shedding, most bypassed packets never reached the pipeline; the table emptied as the flows closed.
        Assert.True(Shed > shed.Pipeline.Stats.BypassedPackets, $"shed {Shed}, followed {shed.Pipeline.Stats.BypassedPackets}");
        Assert.Equal(0, table.Count);
        Assert.Equal(full.Pipeline.Stats.Packets, shed.Pipeline.Stats.Packets + Shed);
    }

    [Fact]
    public void Smtp_IsKeptAndNeverBypassed_EvenStartTlsWithoutKeys()
    {
        // STARTTLS without its key log, key log complete: the TLS inside can never be read, but the flow is SMTP.
        var sink = new RecordingSink(shed: false);
        var h = Run(Path.Combine(RepoPaths.Captures, "smtp", "nodemailer-starttls.pcap"), null, bypass: true, sink: sink);
        Assert.Single(h.TlsSessions, s => !s.Info.Decrypted);
        Assert.NotEmpty(sink.Verdicts);
        Assert.All(sink.Verdicts.Values, v => Assert.Equal(FlowVerdict.Keep, v));
        Assert.Equal(0, h.Pipeline.Router.Counters.BypassedFlows);
    }

    [Fact]
    public void MailApiTls_IsKept_WhileKeysCanStillCome()
    {
        // A Postmark call over TLS: kept from its ClientHello (the SNI is a mail-API host), decrypted, never bypassed.
        string api = Path.Combine(RepoPaths.Captures, "api");
        var expected = Directory.EnumerateFiles(api, "*.expected.json").Select(ExpectedCapture.Load)
            .First(e => e.KeyLog is not null && e.Capture.Contains("postmark", StringComparison.Ordinal));
        var sink = new RecordingSink(shed: false);
        var keyed = Run(Path.Combine(api, expected.Capture), Path.Combine(api, expected.KeyLog!), bypass: true, sink: sink);
        Assert.NotEmpty(keyed.Results);
        Assert.Contains(FlowVerdict.Keep, sink.Verdicts.Values);
        Assert.DoesNotContain(FlowVerdict.Bypass, sink.Verdicts.Values);
        Assert.DoesNotContain(FlowVerdict.Expendable, sink.Verdicts.Values);

        // Live (keys may come later from a key-log file): without its keys the session holds, and is not bypassed.
        var live = new ReplayHarness(Options(bypass: true));
        var liveSink = new RecordingSink(shed: false);
        live.Pipeline.Reassembler.VerdictSink = liveSink;
        live.Replay(Path.Combine(api, expected.Capture));
        Assert.Equal(0, live.Pipeline.Router.Counters.BypassedFlows);
        Assert.Contains(FlowVerdict.Keep, liveSink.Verdicts.Values);
    }

    [Fact]
    public void ProxyTunnels_AreKept()
    {
        string proxy = Path.Combine(RepoPaths.Captures, "proxy");
        foreach (var e in Directory.EnumerateFiles(proxy, "*.expected.json").Select(ExpectedCapture.Load))
        {
            var sink = new RecordingSink(shed: false);
            var h = Run(Path.Combine(proxy, e.Capture), e.KeyLog is { } k ? Path.Combine(proxy, k) : null, bypass: true, sink: sink);
            Assert.True(h.Pipeline.Router.Counters.TunnelRequests > 0, e.Capture);
            Assert.Contains(FlowVerdict.Keep, sink.Verdicts.Values);
            Assert.DoesNotContain(FlowVerdict.Bypass, sink.Verdicts.Values);
        }
    }

    [Fact]
    public void UnkeyedTls_IsBypassedOnlyOnceNoKeyCanCome()
    {
        string pcap = Path.Combine(_dir, "bulk.pcap");
        AgentCapture.Write(pcap, CaptureShape.Bulk, 1_000_000, RepoPaths.Captures, seed: 3);

        // Replay with every key log read up front: the unkeyed uploads are bypassed at their first record needing a key.
        var sink = new RecordingSink(shed: false);
        var replay = Run(pcap, AgentCapture.KeylogPathFor(pcap), bypass: true, sink: sink);
        Assert.Contains(FlowVerdict.Bypass, sink.Verdicts.Values);
        Assert.Equal(replay.TlsSessions.Count(s => !s.Info.Decrypted), replay.Pipeline.Router.Counters.BypassedFlows);

        // Live: keys may still come, so they hold (up to the pending limit) and are not bypassed; their server name is
        // no mail API, so under load they are dropped first (expendable). The mail flows beside them are kept.
        var live = new ReplayHarness(Options(bypass: true));
        var liveSink = new RecordingSink(shed: false);
        live.Pipeline.Reassembler.VerdictSink = liveSink;
        live.Pipeline.KeyLog.LoadFile(AgentCapture.KeylogPathFor(pcap));
        live.Replay(pcap);
        Assert.Equal(0, live.Pipeline.Router.Counters.BypassedFlows);
        Assert.Equal(live.TlsSessions.Count(s => !s.Info.Decrypted), liveSink.Verdicts.Values.Count(v => v == FlowVerdict.Expendable));
        Assert.Equal(live.TlsSessions.Count(s => s.Info.Decrypted) + live.Pipeline.Router.Counters.SmtpFlows,
            liveSink.Verdicts.Values.Count(v => v == FlowVerdict.Keep));

        // Bypass off: nothing is.
        Assert.Equal(0, Run(pcap, AgentCapture.KeylogPathFor(pcap), bypass: false).Pipeline.Router.Counters.BypassedFlows);
    }

    [Fact]
    public void UnrecognisedFlow_IsBypassed_AfterTheProbesGaveUp()
    {
        // Neither SMTP, TLS, HTTP nor a tunnel: the probes give up and the rest of the flow is ignored, so bypassed.
        string pcap = new ConversationPcap().Client("\x01\x02 not a protocol anyone speaks\r\n")
            .Server("\x7f\x00 nor this\r\n").Client(new string('z', 5000)).WriteTemp(serverPort: 7777);
        try
        {
            var sink = new RecordingSink(shed: false);
            var h = Run(pcap, null, bypass: true, sink: sink);
            Assert.Equal(1, h.Pipeline.Router.Counters.UnidentifiedFlows);
            Assert.Equal(1, h.Pipeline.Router.Counters.BypassedFlows);
            Assert.Equal([FlowVerdict.Bypass], sink.Verdicts.Values);
            Assert.True(h.Pipeline.Stats.BypassedPackets > 0);
        }
        finally { File.Delete(pcap); }
    }
}
