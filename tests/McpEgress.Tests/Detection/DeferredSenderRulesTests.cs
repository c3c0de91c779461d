using System.Text.Json;
using McpEgress.Detection;
using McpEgress.Export;
using McpEgress.Mail;
using McpEgress.Pipeline;
using static McpEgress.Tests.Detection.TestMessages;

namespace McpEgress.Tests.Detection;

/// <summary>
/// Rules that need the sender, when the sender arrives after the message (live attribution off the packet path): the
/// real pipeline, detection engine and ECS writer; the sender's lookup is played by the test.
/// </summary>
public sealed class DeferredSenderRulesTests
{
    private const long Hour = 3_600_000_000_000;
    private const long T0 = 1_758_794_472_000_000_000;

    /// <summary>What the attribution knows, flow by flow, as the daemon's annotator would say it.</summary>
    private sealed class Lookups : ISenderSource
    {
        public readonly HashSet<long> Pending = [];
        public readonly Dictionary<long, ProcessFacts?> Known = [];

        public SenderState Find(long flowId, out ProcessFacts? process)
        {
            if (Known.TryGetValue(flowId, out process)) return SenderState.Known;
            return Pending.Contains(flowId) ? SenderState.Pending : SenderState.Unknown;
        }
    }

    private sealed class Rig
    {
        public readonly Lookups Senders = new();
        public readonly MemoryStream Events = new();
        public readonly EcsEventWriter Writer;
        public readonly MonitorPipeline Pipeline;
        public readonly DeferredSenderRules Deferred;
        public long NowMs = 5_000;

        public Rig(DeferredSenderOptions? options = null)
        {
            Writer = new EcsEventWriter(Events);
            Pipeline = new MonitorPipeline(new PipelineOptions(), new DetectionEngine(DetectionPolicy.Default), new EcsPipelineOutput(Writer));
            Deferred = new DeferredSenderRules(Senders, options, () => NowMs);
            Pipeline.SenderRules = Deferred;
        }

        public void Message(MailMessage m) => Pipeline.DetectionStage.OnMessage(m);

        public List<JsonElement> Docs()
        {
            Writer.Flush();
            return System.Text.Encoding.UTF8.GetString(Events.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        }
    }

    private static readonly ProcessFacts V15 = new() { Pid = 4242, Name = "node", Executable = "/usr/bin/node", Package = "postmark-mcp", PackageVersion = "1.0.15" };

    private static MailMessage Api(long flowId, long t, string to, string? bcc, ProcessFacts? process = null) => new()
    {
        Transport = MailTransport.Http, Provider = "postmark", TimestampNs = t, FlowId = flowId,
        Source = Ep("127.0.0.1", 40000), Destination = Ep("127.0.0.1", 443), MessageId = $"<m{flowId}@example.com>",
        From = A("alice@example.com"), To = A(to), Bcc = bcc is null ? [] : A(bcc), Subject = "s", Process = process,
    };

    private static string? Str(JsonElement e, params string[] path)
    {
        foreach (var p in path) if (!e.TryGetProperty(p, out e)) return null;
        return e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText();
    }

    /// <summary>Three clean messages from 1.0.15, whose sender was known at once.</summary>
    private static void CleanHistory(Rig rig)
    {
        for (int i = 0; i < 3; i++) rig.Message(Api(100 + i, T0 + i * Hour, $"client@customer{i}.example", null, V15));
    }

    [Fact]
    public void SenderArrivesAfterTheMessage_BehaviourChangeFollowsTheMessageEventAndNamesIt()
    {
        var rig = new Rig();
        CleanHistory(rig);
        var copy = Api(7, T0 + 10 * Hour, "ceo@corp.example", "stats@quiet-metrics.example");
        rig.Senders.Pending.Add(7);
        rig.Message(copy);

        // At once: the message event and the rules that need no sender (a hidden recipient in a foreign domain).
        var now = rig.Docs().Skip(3).ToList();
        Assert.Equal("event", Str(now[0], "event", "kind"));
        Assert.Equal(["hidden-foreign-domain"], now.Skip(1).Select(d => Str(d, "rule", "id")!).ToArray());
        Assert.Equal(1, rig.Deferred.HeldNow);
        Assert.False(now[0].TryGetProperty("process", out _));

        // The sender comes: 1.0.16 of the same package.
        rig.Deferred.OnSenderResolved(7, V15 with { PackageVersion = "1.0.16" });
        var later = rig.Docs().Skip(3 + now.Count).ToList();
        Assert.Equal(["new-hidden-domain", "behaviour-change"], later.Select(d => Str(d, "rule", "id")!).ToArray());
        var change = later[1];
        Assert.Equal("alert", Str(change, "event", "kind"));
        Assert.Equal("true", Str(change, "mcp_egress", "alert", "deferred"));
        Assert.Equal("critical", Str(change, "mcp_egress", "alert", "severity"));
        // It names its message: time, flow and message id as the message event wrote them, now with the process.
        Assert.Equal(Str(now[0], "@timestamp"), Str(change, "@timestamp"));
        Assert.Equal("7", Str(change, "mcp_egress", "flow_id"));
        Assert.Equal("<m7@example.com>", Str(change, "email", "message_id"));
        Assert.Equal("4242", Str(change, "process", "pid"));
        Assert.Equal("1.0.16", Str(change, "mcp_egress", "alert", "baseline", "new_version"));
        Assert.Equal(1, rig.Deferred.Resolved);
        Assert.Equal(0, rig.Deferred.HeldNow);
        Assert.Equal(1, rig.Pipeline.Stats.CriticalAlerts);
        Assert.Equal(1, rig.Pipeline.Stats.AlertsByRule["behaviour-change"]);
    }

    [Fact]
    public void SenderNeverArrives_SenderlessRulesStillFire_TheWaitEndsAndIsCounted()
    {
        var rig = new Rig(new DeferredSenderOptions { Wait = TimeSpan.FromSeconds(5) });
        CleanHistory(rig);
        rig.Senders.Pending.Add(7);
        rig.Message(Api(7, T0 + 10 * Hour, "ceo@corp.example", "phan@giftshop.club"));
        rig.Message(Api(7, T0 + 10 * Hour + 1, "cfo@corp.example", "phan@giftshop.club")); // same flow, also waits
        Assert.Equal(2, rig.Deferred.HeldNow);
        int before = rig.Docs().Count;

        rig.NowMs += 4_999;
        rig.Deferred.Expire();
        Assert.Equal(before, rig.Docs().Count);
        rig.NowMs += 1;
        rig.Deferred.Expire();
        Assert.Equal(2, rig.Deferred.Timeouts);
        Assert.Equal(0, rig.Deferred.HeldNow);
        // Judged without a sender: the host's first hidden mail to giftshop.club is still news; behaviour-change cannot say anything.
        var late = rig.Docs().Skip(before).ToList();
        var fresh = Assert.Single(late);
        Assert.Equal("new-hidden-domain", Str(fresh, "rule", "id"));
        Assert.Equal("true", Str(fresh, "mcp_egress", "alert", "deferred"));
        Assert.False(fresh.TryGetProperty("process", out _));
        Assert.DoesNotContain(rig.Docs(), d => Str(d, "rule", "id") == "behaviour-change");

        // The answer that comes after the wait changes nothing and is not counted twice.
        rig.Deferred.OnSenderResolved(7, V15);
        Assert.Equal(0, rig.Deferred.Resolved);
    }

    [Fact]
    public void LookupEndsWithoutProcess_ReleasedAtOnce_AndAKnownSenderIsJoinedBeforeTheMessageIsWritten()
    {
        var rig = new Rig();
        rig.Senders.Pending.Add(7);
        rig.Message(Api(7, T0, "ceo@corp.example", "phan@giftshop.club"));
        rig.Deferred.OnSenderResolved(7, null);
        Assert.Equal(1, rig.Deferred.Unresolved);
        Assert.Equal(0, rig.Deferred.HeldNow);

        // A message of a flow answered already (it closed before the answer came: TLS decrypted late) gets the process.
        rig.Senders.Known[8] = V15;
        var m = Api(8, T0 + 1, "x@customer.example", null);
        rig.Message(m);
        Assert.Same(V15, m.Process);
        Assert.Equal("4242", Str(rig.Docs()[^1], "process", "pid"));
        Assert.Equal(1, rig.Deferred.Deferred);
    }

    [Fact]
    public void TableFull_JudgedAtOnceWithoutTheSender_AndCounted_NothingWaitsWhenNothingIsPending()
    {
        var rig = new Rig(new DeferredSenderOptions { MaxHeld = 1 });
        rig.Senders.Pending.Add(7);
        rig.Message(Api(7, T0, "ceo@corp.example", "phan@giftshop.club"));
        rig.Message(Api(7, T0 + 1, "cfo@corp.example", "spy@elsewhere.example"));
        Assert.Equal(1, rig.Deferred.HeldNow);
        Assert.Equal(1, rig.Deferred.Overflows);
        // The overflowing message had every rule at once: its new-hidden-domain alert is not deferred.
        var overflow = rig.Docs().Where(d => Str(d, "rule", "id") == "new-hidden-domain").ToList();
        Assert.Equal("elsewhere.example", Str(Assert.Single(overflow), "mcp_egress", "alert", "baseline", "subject"));
        Assert.Null(Str(overflow[0], "mcp_egress", "alert", "deferred"));

        // Replay, a flow nobody looks up: every rule at once, nothing held.
        rig.Message(Api(9, T0 + 2, "x@customer.example", "a@third.example"));
        Assert.Equal(1, rig.Deferred.HeldNow);
        Assert.Equal(1, rig.Deferred.Deferred);

        // End of the run: what still waits is judged.
        rig.Deferred.ReleaseAll();
        Assert.Equal(0, rig.Deferred.HeldNow);
        Assert.Equal(1, rig.Deferred.Timeouts);
    }
}
