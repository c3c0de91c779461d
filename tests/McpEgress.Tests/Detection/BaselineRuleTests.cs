using McpEgress.Config;
using McpEgress.Detection;
using McpEgress.Mail;
using McpEgress.Tests.Golden;
using static McpEgress.Tests.Detection.TestMessages;

namespace McpEgress.Tests.Detection;

/// <summary>hidden-sink, new-hidden-domain, behaviour-change and known sinks, over messages built like the real ones.</summary>
public class BaselineRuleTests
{
    private const long Hour = 3_600_000_000_000;
    private const long T0 = 1_758_794_472_000_000_000; // 2025-09-25T10:01:12Z

    /// <summary>From alice@example.com to <paramref name="to"/>, Bcc <paramref name="bcc"/>, over SMTP (envelope-only copy) or a mail API (bcc field).</summary>
    private static MailMessage Mail(string to, string? bcc, long t, bool api = false, ProcessFacts? process = null, string from = "alice@example.com")
    {
        string[] hidden = bcc is null ? [] : [bcc];
        return api
            ? new MailMessage
            {
                Transport = MailTransport.Http, Provider = "postmark", TimestampNs = t, From = A(from), To = A(to), Bcc = A(hidden),
                Subject = "s", Process = process,
            }
            : new MailMessage
            {
                Transport = MailTransport.Smtp, TimestampNs = t, From = A(from), To = A(to), Subject = "s", Process = process,
                Envelope = new SmtpEnvelope
                {
                    MailFrom = from, MailFromReplyCode = 250, DataReplyCode = 250,
                    RcptTo = [new EnvelopeRecipient(to, 250), .. hidden.Select(h => new EnvelopeRecipient(h, 250))],
                },
            };
    }

    private static string[] Rules(IReadOnlyList<Alert> alerts) => alerts.Select(a => a.RuleId).ToArray();

    [Fact]
    public void HiddenSinkFiresOnTheThirdMessageAcrossThreeVisibleDomains()
    {
        var engine = new DetectionEngine(DetectionPolicy.Default);
        var first = engine.Evaluate(Mail("ceo@corp.example", "stats@quiet-metrics.example", T0));
        var second = engine.Evaluate(Mail("jane@partner.example", "Stats+q2@QUIET-metrics.example", T0 + Hour));
        var third = engine.Evaluate(Mail("help@vendor.example", "stats@quiet-metrics.example", T0 + 2 * Hour));

        Assert.DoesNotContain(HiddenSinkRule.RuleId, Rules(first));
        Assert.DoesNotContain(HiddenSinkRule.RuleId, Rules(second));
        var sink = Assert.Single(third, a => a.RuleId == HiddenSinkRule.RuleId);
        Assert.Equal(Severity.Critical, sink.Severity);
        Assert.Equal("stats@quiet-metrics.example", sink.Baseline!.Subject);
        Assert.Equal(3, sink.Baseline.Messages);
        Assert.Equal(["corp.example", "partner.example", "vendor.example"], sink.Baseline.VisibleDomains.Order());
        Assert.Equal(T0, sink.Baseline.FirstSeenNs);
        Assert.Contains("3 unrelated domains", sink.Message);

        // Once per window: the fourth copy an hour later is not a new page.
        Assert.DoesNotContain(HiddenSinkRule.RuleId, Rules(engine.Evaluate(Mail("x@fourth.example", "stats@quiet-metrics.example", T0 + 3 * Hour))));
    }

    [Fact]
    public void HiddenSinkIsSilentWhenTheVisibleDomainsSpanFewerOrTheWindowPassed()
    {
        var engine = new DetectionEngine(DetectionPolicy.Default);
        foreach (var (to, i) in new[] { "a@corp.example", "b@corp.example", "c@partner.example", "d@mail.partner.example" }.Select((t, i) => (t, i)))
            Assert.DoesNotContain(HiddenSinkRule.RuleId, Rules(engine.Evaluate(Mail(to, "stats@quiet-metrics.example", T0 + i * Hour))));

        var spread = new DetectionEngine(DetectionPolicy.Default);
        spread.Evaluate(Mail("a@one.example", "stats@quiet-metrics.example", T0));
        spread.Evaluate(Mail("b@two.example", "stats@quiet-metrics.example", T0 + 13 * Hour));
        Assert.DoesNotContain(HiddenSinkRule.RuleId, Rules(spread.Evaluate(Mail("c@three.example", "stats@quiet-metrics.example", T0 + 25 * Hour))));
    }

    [Theory]
    [InlineData("1234567@bcc.hubspot.com", "HubSpot")]
    [InlineData("acme@pipedrivemail.com", "Pipedrive")]
    [InlineData("dropbox@12345678.acme.capsulecrm.com", "Capsule")]
    [InlineData("cc@app.pipelinecrm.com", "Pipeline CRM")]
    [InlineData("sales@acme.freshsales.io", "Freshsales")]
    [InlineData("ibx_i0068e_1ed70ec324@nutshellemail.com", "Nutshell")]
    public void CrmLoggedMailRaisesNothingAboveMediumOverSmtpAndApi(string crm, string vendor)
    {
        foreach (bool api in new[] { false, true })
        {
            var engine = new DetectionEngine(DetectionPolicy.Default);
            for (int i = 0; i < 6; i++)
            {
                var m = Mail($"buyer@customer{i}.example", crm, T0 + i * Hour, api);
                var alerts = engine.Evaluate(m);
                Assert.All(alerts, a => Assert.True(a.Severity <= Severity.Medium, a.ToString()));
                Assert.Equal(vendor, Assert.Single(m.Hidden).KnownSink);
            }
        }
    }

    /// <summary>The real captures (nodemailer over SMTP; the official postmark and SendGrid clients over HTTPS): CRM-logged mail to six vendors, each sink recurring across unrelated customers, and compliance copies in the sender's own domain.</summary>
    [Theory]
    [InlineData("smtp/nodemailer-crm-bcc.expected.json")]
    [InlineData("api/crm-bcc.expected.json")]
    public void CrmCapturesRaiseNothingAboveMediumAndComplianceCopiesNothing(string expectedFile)
    {
        var path = Path.Combine(RepoPaths.Captures, expectedFile);
        var expected = ExpectedCapture.Load(path);
        var h = new ReplayHarness();
        if (expected.KeyLog is { } keys) h.Pipeline.KeyLog.LoadFile(Path.Combine(Path.GetDirectoryName(path)!, keys));
        h.Replay(Path.Combine(Path.GetDirectoryName(path)!, expected.Capture));
        Assert.Empty(h.Errors);
        Assert.Equal(expected.Messages.Count, h.Results.Count);
        Assert.All(h.Results.SelectMany(r => r.Alerts), a => Assert.True(a.Severity <= Severity.Medium, a.RuleId + ": " + a.Message));
        var vendors = h.Results.SelectMany(r => r.Message.Hidden).Select(x => x.KnownSink).OfType<string>().Distinct().Order().ToList();
        Assert.Equal(["Capsule", "Freshsales", "HubSpot", "Nutshell", "Pipedrive", "Pipeline CRM"], vendors);
        // HubSpot's address recurs on three or more messages whose visible recipients span as many unrelated domains.
        var hubspot = h.Results.Where(r => r.Message.Hidden.Any(x => x.KnownSink == "HubSpot")).ToList();
        Assert.True(hubspot.Select(r => RegistrableDomain.Of(r.Message.To[0].Domain)).Distinct().Count() >= 3);
        var compliance = h.Results.Where(r => r.Message.Hidden.Any(x => x.Address.Domain.EndsWith("corp.example", StringComparison.Ordinal))).ToList();
        Assert.NotEmpty(compliance);
        Assert.All(compliance, r => Assert.Empty(r.Alerts));
        Assert.Contains("\"known_sink\":\"Pipedrive\"", h.Ndjson);
    }

    [Fact]
    public void ConfiguredKnownSinksExtendAndDisableTheBuiltInList()
    {
        var c = ConfigLoader.Parse("""
            detection:
              known_sinks:
                extra: [{ domain: bcc.crm.corp-tools.example, vendor: "Corp CRM" }]
                disabled: [HubSpot]
            """, "yaml");
        var engine = new DetectionEngine(c.Detection);
        Assert.Contains(engine.KnownSinkList, k => k.Vendor == "Corp CRM");
        Assert.DoesNotContain(engine.KnownSinkList, k => k.Vendor == "HubSpot");
        for (int i = 0; i < 4; i++)
        {
            var own = Mail($"buyer@customer{i}.example", "log+deal@bcc.crm.corp-tools.example", T0 + i * Hour);
            Assert.Empty(engine.Evaluate(own)); // the extra sink: no rule, hidden-sink included
            Assert.Equal("Corp CRM", Assert.Single(own.Hidden).KnownSink);
        }
        // HubSpot switched off: an ordinary foreign hidden recipient again, recurring into hidden-sink.
        var hub = Enumerable.Range(0, 3).Select(i => engine.Evaluate(Mail($"x@other{i}.example", "123@bcc.hubspot.com", T0 + (10 + i) * Hour))).ToList();
        Assert.Contains(HiddenRecipientRule.RuleId, Rules(hub[0]));
        Assert.Contains(NewHiddenDomainRule.RuleId, Rules(hub[0]));
        Assert.Contains(HiddenSinkRule.RuleId, Rules(hub[2]));
        // Another engine with the defaults is unaffected.
        var m = Mail("a@b.example", "123@bcc.hubspot.com", T0);
        new DetectionEngine(DetectionPolicy.Default).Evaluate(m);
        Assert.Equal("HubSpot", Assert.Single(m.Hidden).KnownSink);
    }

    [Fact]
    public void KnownSinkStillFiresBehaviourChangeAfterAnUpgrade()
    {
        var engine = new DetectionEngine(DetectionPolicy.Default);
        var old = new ProcessFacts { Package = "crm-mcp", PackageVersion = "2.0.0" };
        engine.Evaluate(Mail("a@customer.example", null, T0, api: true, old));
        var alerts = engine.Evaluate(Mail("b@customer.example", "x@pipedrivemail.com", T0 + Hour, api: true, old with { PackageVersion = "2.1.0" }));
        var change = Assert.Single(alerts);
        Assert.Equal(BehaviourChangeRule.RuleId, change.RuleId);
        Assert.Equal("Pipedrive", change.Baseline!.KnownSink);
    }

    [Fact]
    public void ComplianceCopyInTheSendersDomainGivesNothing()
    {
        var engine = new DetectionEngine(DetectionPolicy.Default);
        var process = new ProcessFacts { Package = "mailer-mcp", PackageVersion = "1.0.0" };
        for (int i = 0; i < 5; i++)
        {
            var p = i < 2 ? process : process with { PackageVersion = "1.1.0" };
            Assert.Empty(engine.Evaluate(Mail($"buyer@customer{i}.example", "archive@vault.example.com", T0 + i * Hour, i % 2 == 0, p)));
        }
    }

    [Fact]
    public void BehaviourChangeOnTheFirstCopyAfterAVersionChangeAndNoAlertOnCleanMail()
    {
        var engine = new DetectionEngine(DetectionPolicy.Default);
        var v15 = new ProcessFacts { Pid = 4242, Name = "node", Package = "postmark-mcp", PackageVersion = "1.0.15" };
        for (int i = 0; i < 3; i++)
            Assert.Empty(engine.Evaluate(Mail($"client@customer{i}.example", null, T0 + i * Hour, api: true, v15)));

        var v16 = v15 with { PackageVersion = "1.0.16" };
        var first = engine.Evaluate(Mail("ceo@corp.example", "stats@quiet-metrics.example", T0 + 10 * Hour, api: true, v16));
        var change = Assert.Single(first, a => a.RuleId == BehaviourChangeRule.RuleId);
        Assert.Equal(Severity.Critical, change.Severity);
        Assert.Equal("1.0.16", change.Baseline!.NewVersion);
        Assert.Equal(["1.0.15"], change.Baseline.OldVersions);
        Assert.Equal(3, change.Baseline.OldVersionMessages);
        Assert.Contains("postmark-mcp 1.0.16", change.Message);
        Assert.Contains("1.0.15 (3)", change.Message);
        Assert.Contains(NewHiddenDomainRule.RuleId, Rules(first)); // medium, beside it

        var second = engine.Evaluate(Mail("jane@partner.example", "stats@quiet-metrics.example", T0 + 11 * Hour, api: true, v16));
        Assert.DoesNotContain(BehaviourChangeRule.RuleId, Rules(second));
        Assert.DoesNotContain(NewHiddenDomainRule.RuleId, Rules(second));
    }

    /// <summary>Each baseline rule's alert event explains itself: a sentence naming the broken baseline, and the same facts as <c>mcp_egress.alert.baseline.*</c> fields.</summary>
    [Fact]
    public void EveryBaselineAlertExplainsItselfInItsMessageAndStructuredFields()
    {
        var engine = new DetectionEngine(DetectionPolicy.Default);
        var v1 = new ProcessFacts { Package = "crm-mcp", PackageVersion = "2.0.0" };
        var v2 = v1 with { PackageVersion = "2.1.0" };
        var alerts = new List<Alert>();
        for (int i = 0; i < 4; i++) alerts.AddRange(engine.Evaluate(Mail($"a@clean{i}.example", null, T0 + i * Hour, api: true, v1)));
        // v2: copies to a collector (behaviour-change, new-hidden-domain, then hidden-sink) and to a CRM (behaviour-change with known_sink).
        alerts.AddRange(engine.Evaluate(Mail("ceo@corp.example", "stats@quiet-metrics.example", T0 + 10 * Hour, api: true, v2)));
        alerts.AddRange(engine.Evaluate(Mail("jane@partner.example", "stats@quiet-metrics.example", T0 + 11 * Hour, api: true, v2)));
        alerts.AddRange(engine.Evaluate(Mail("help@vendor.example", "stats@quiet-metrics.example", T0 + 12 * Hour, api: true, v2)));
        alerts.AddRange(engine.Evaluate(Mail("bo@shop.example", "42@bcc.hubspot.com", T0 + 13 * Hour, api: true, v2)));
        // Another sender to a domain the host already knows: new-hidden-domain for that sender, with the host's baseline.
        alerts.AddRange(engine.Evaluate(Mail("x@else.example", "stats@quiet-metrics.example", T0 + 14 * Hour, process: new ProcessFacts { Executable = "/usr/bin/python3" })));

        using var ms = new MemoryStream();
        using (var w = new McpEgress.Export.EcsEventWriter(ms))
            foreach (var a in alerts) w.WriteAlert(a);
        var events = System.Text.Encoding.UTF8.GetString(ms.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal(alerts.Count, events.Count);
        System.Text.Json.JsonElement B(System.Text.Json.JsonElement e) => e.GetProperty("mcp_egress").GetProperty("alert").GetProperty("baseline");
        string Msg(System.Text.Json.JsonElement e) => e.GetProperty("message").GetString()!;
        List<System.Text.Json.JsonElement> Of(string rule) => events.Where(e => e.GetProperty("rule").GetProperty("id").GetString() == rule).ToList();

        var changes = Of(BehaviourChangeRule.RuleId);
        Assert.Equal(2, changes.Count);
        foreach (var c in changes)
        {
            var b = B(c);
            Assert.Equal("crm-mcp", b.GetProperty("sender").GetString());
            Assert.Equal("2.1.0", b.GetProperty("new_version").GetString());
            Assert.Equal(["2.0.0"], b.GetProperty("old_versions").EnumerateArray().Select(x => x.GetString()));
            Assert.Equal(4, b.GetProperty("old_version_messages").GetInt64());
            Assert.StartsWith("2025-09-25T10:01:12", b.GetProperty("first_seen").GetString());
            Assert.Contains("crm-mcp 2.1.0 sent a hidden copy to", Msg(c));
            Assert.Contains("2.0.0 (4) sent 4 message(s) since 2025-09-25T10:01:12Z", Msg(c));
            Assert.Contains(b.GetProperty("subject").GetString()!, Msg(c));
        }
        Assert.Equal("HubSpot", B(changes[1]).GetProperty("known_sink").GetString());
        Assert.Contains("known HubSpot sink", Msg(changes[1]));

        var sink = Assert.Single(Of(HiddenSinkRule.RuleId));
        var sb = B(sink);
        Assert.Equal("stats@quiet-metrics.example", sb.GetProperty("subject").GetString());
        Assert.Equal(3, sb.GetProperty("messages").GetInt64());
        Assert.Equal(86400, sb.GetProperty("window_seconds").GetInt64());
        Assert.Equal(3, sb.GetProperty("visible_domain_count").GetInt64());
        Assert.Equal("crm-mcp", sb.GetProperty("sender").GetString());
        Assert.StartsWith("2025-09-25T20:01:12", sb.GetProperty("first_seen").GetString());
        Assert.Contains("copied on 3 messages within 24 h whose visible recipients span 3 unrelated domains (corp.example, partner.example, vendor.example)", Msg(sink));
        Assert.EndsWith("This copy was sent by crm-mcp.", Msg(sink));

        var fresh = Of(NewHiddenDomainRule.RuleId);
        Assert.Equal(2, fresh.Count); // the host's first, then python3's first (the HubSpot copy is a known sink: none)
        Assert.Equal("quiet-metrics.example", B(fresh[0]).GetProperty("subject").GetString());
        Assert.Equal("crm-mcp", B(fresh[0]).GetProperty("sender").GetString());
        Assert.Contains("First hidden recipient from this host to domain quiet-metrics.example: stats@quiet-metrics.example, sent by crm-mcp.", Msg(fresh[0]));
        Assert.Equal("/usr/bin/python3", B(fresh[1]).GetProperty("sender").GetString());
        Assert.Equal(3, B(fresh[1]).GetProperty("messages").GetInt64());
        Assert.StartsWith("2025-09-25T20:01:12", B(fresh[1]).GetProperty("first_seen").GetString());
        Assert.Contains("this host has sent hidden mail there 3 time(s) since 2025-09-25T20:01:12Z, never from /usr/bin/python3", Msg(fresh[1]));
    }

    [Fact]
    public void NewHiddenDomainOncePerHostAndOncePerSender()
    {
        var engine = new DetectionEngine(DetectionPolicy.Default);
        var a = engine.Evaluate(Mail("x@customer.example", "s@collector.example", T0));
        var fresh = Assert.Single(a, x => x.RuleId == NewHiddenDomainRule.RuleId);
        Assert.Equal(Severity.Medium, fresh.Severity);
        Assert.Contains("First hidden recipient from this host to domain collector.example", fresh.Message);
        Assert.DoesNotContain(NewHiddenDomainRule.RuleId, Rules(engine.Evaluate(Mail("y@customer.example", "t@mail.collector.example", T0 + 1))));

        var b = engine.Evaluate(Mail("z@customer.example", "s@collector.example", T0 + 2, process: new ProcessFacts { Executable = "/usr/bin/python3" }));
        Assert.Contains("First hidden recipient from /usr/bin/python3 to domain collector.example", Assert.Single(b, x => x.RuleId == NewHiddenDomainRule.RuleId).Message);
    }

    [Fact]
    public void SinkKeyFoldsCaseTagsAndIdn()
    {
        Assert.Equal("stats@quiet.example", HiddenRecipients.SinkKey(new MailAddress("Stats+Q3@Quiet.Example.")));
        Assert.Equal(HiddenRecipients.SinkKey(new MailAddress("a@xn--bcher-kva.example")), HiddenRecipients.SinkKey(new MailAddress("A+x@BÜCHER.example")));
    }

    [Fact]
    public void ThresholdsAreConfigurableAndValidated()
    {
        var c = ConfigLoader.Parse("detection:\n  rules:\n    hidden-sink: { min_messages: 2, min_visible_domains: 2 }\n", "yaml");
        var engine = new DetectionEngine(c.Detection);
        engine.Evaluate(Mail("a@one.example", "s@sink.example", T0));
        Assert.Contains(HiddenSinkRule.RuleId, Rules(engine.Evaluate(Mail("b@two.example", "s@sink.example", T0 + 1))));

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("detection:\n  rules:\n    hidden-sink:\n      min_messages: 1\n", "yaml", "cfg"));
        Assert.Contains("cfg:4:21", e.Message);
        Assert.Contains("detection.rules.hidden-sink.min_messages", e.Message);
    }

    [Fact]
    public void PostmarkIncidentCaptureGivesHiddenSinkOnTheThirdCopy()
    {
        var dir = Path.Combine(RepoPaths.Captures, "api");
        var h = new ReplayHarness();
        h.Pipeline.KeyLog.LoadFile(Path.Combine(dir, "mcp-postmark-incident.keys"));
        h.Replay(Path.Combine(dir, "mcp-postmark-incident.pcap"));
        Assert.Empty(h.Errors);
        var ordered = h.Results.OrderBy(r => r.Message.TimestampNs).ToList();
        Assert.Equal(3, ordered.Count);
        Assert.DoesNotContain(HiddenSinkRule.RuleId, Rules(ordered[0].Alerts));
        Assert.DoesNotContain(HiddenSinkRule.RuleId, Rules(ordered[1].Alerts));
        var sink = Assert.Single(ordered[2].Alerts, a => a.RuleId == HiddenSinkRule.RuleId);
        Assert.Equal("phan@giftshop.club", sink.Address.Address);
        Assert.Contains("\"baseline\":{", h.Ndjson);
        Assert.Contains("\"visible_domain_count\":3", h.Ndjson);
    }
}

public class KnownSinkListTests
{
    [Fact]
    public void PrometheusNewDomainRuleExcludesEveryKnownSink()
    {
        string rules = File.ReadAllText(Path.Combine(RepoPaths.Root, "grafana", "prometheus", "mcp-egress.rules.yml"));
        foreach (var s in KnownSinks.BuiltIn)
        {
            string org = RegistrableDomain.Of(s.Domain.TrimStart('*', '.'));
            Assert.Contains(org.Replace(".", "\\\\."), rules);
            Assert.StartsWith("https://", s.Source);
        }
    }
}
