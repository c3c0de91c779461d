using McpEgress.Detection;
using McpEgress.Diagnostics;
using McpEgress.Export.Prometheus;
using McpEgress.Mail;
using McpEgress.Protocols.Imf;
using McpEgress.Protocols.Routing;
using McpEgress.Protocols.Smtp;
using McpEgress.Protocols.Tls;

namespace McpEgress.Tests.Prometheus;

public class EgressMetricsTests
{
    private static MailAddress[] A(params string[] a) => a.Select(x => new MailAddress(x)).ToArray();

    private static HiddenRecipient H(string address, HiddenReason reason) => new(new MailAddress(address), reason);

    /// <summary>The postmark-mcp case over SMTP: one To, one Cc, a Resent-To, and two hidden recipients.</summary>
    private static MailMessage SmtpMessage() => new()
    {
        Transport = MailTransport.Smtp,
        TimestampNs = 1_758_794_472_500_000_000,
        To = A("bob@customer.test"),
        Cc = A("carol@customer.test", "dave@customer.test"),
        ResentTo = A("erin@customer.test"),
        Bcc = A("phan@mail.giftshop.club"),
        Hidden = [H("phan@mail.giftshop.club", HiddenReason.BccField), H("x@shop.example.co.uk", HiddenReason.EnvelopeOnly)],
    };

    private static MailMessage ApiMessage(string? provider) => new()
    {
        Transport = MailTransport.Http,
        Provider = provider,
        TimestampNs = 1_758_794_473_000_000_000,
        To = A("bob@customer.test"),
        ResentCc = A("frank@customer.test"),
        Hidden = [H("phan@giftshop.club", HiddenReason.BccField)],
    };

    private static Alert HiddenAlert(MailMessage m) =>
        new(HiddenRecipientRule.RuleId, "hidden", Severity.High, "x", m, new MailAddress("phan@giftshop.club"), RecipientRole.Bcc, "giftshop.club");

    [Fact]
    public void BuildInfo_CarriesTheCommitThisBuildCameFrom()
    {
        var git = McpEgress.Tests.Grafana.ExternalTool.Run("git", "git", McpEgress.Tests.Golden.RepoPaths.Root, TimeSpan.FromSeconds(30),
            "rev-parse", "--short=12", "HEAD");
        Assert.Equal(0, git.ExitCode);
        var s = Exposition.Samples(new EgressMetrics());
        var line = Assert.Single(s.Keys, k => k.StartsWith("mcp_egress_build_info{", StringComparison.Ordinal));
        Assert.Contains($"commit=\"{git.Stdout.Trim()}\"", line); // from Directory.Build.props, not "unknown"
        Assert.DoesNotContain("+", line);                         // the version label is the version alone
        Assert.Equal(("1.0.0", "0123456789ab"), EgressMetrics.BuildIdentity("1.0.0+0123456789ab"));
        Assert.Equal(("1.0.0", "unknown"), EgressMetrics.BuildIdentity("1.0.0"));
        Assert.Equal(("unknown", "unknown"), EgressMetrics.BuildIdentity(null));
    }

    [Fact]
    public void FixedSeries_ExistAtZeroFromTheStart()
    {
        var m = new EgressMetrics(new EgressMetricsOptions { Version = "1.2.3", Commit = "abc123", StartTime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000) });
        var s = Exposition.Samples(m);

        Assert.Equal("1", s[$"mcp_egress_build_info{{version=\"1.2.3\",commit=\"abc123\",dotnet=\"{Environment.Version}\"}}"]);
        Assert.Equal("1700000000", s["mcp_egress_start_time_seconds"]);
        Assert.Equal("0", s["mcp_egress_messages_total{transport=\"smtp\",provider=\"none\"}"]);
        foreach (var p in EgressLabelValues.Providers)
        {
            Assert.Equal("0", s[$"mcp_egress_messages_total{{transport=\"http\",provider=\"{p}\"}}"]);
            Assert.Equal("0", s[$"mcp_egress_tls_sessions_total{{decrypted=\"false\",destination=\"{p}\",mcp_server=\"\",instrumented=\"\"}}"]);
        }
        foreach (var role in new[] { "to", "cc", "hidden" }) Assert.Equal("0", s[$"mcp_egress_recipients_total{{role=\"{role}\"}}"]);
        foreach (var rule in new[] { "denied-domain", "hidden-foreign-domain" })
            foreach (var sev in new[] { "low", "medium", "high", "critical" })
                Assert.Equal("0", s[$"mcp_egress_alerts_total{{rule=\"{rule}\",severity=\"{sev}\"}}"]);
        Assert.Equal("0", s["mcp_egress_process_messages_total{package=\"unknown\"}"]);
        Assert.Equal("0", s["mcp_egress_tls_sessions_total{decrypted=\"true\",destination=\"smtp\",mcp_server=\"\",instrumented=\"\"}"]);
        Assert.Equal("0", s["mcp_egress_tls_sessions_total{decrypted=\"true\",destination=\"other\",mcp_server=\"\",instrumented=\"\"}"]);
        foreach (var kind in new[] { "reassembly", "tls_parked", "capture_queue" }) Assert.Equal("0", s[$"mcp_egress_buffered_bytes{{kind=\"{kind}\"}}"]);
        Assert.Equal("0", s["mcp_egress_active_flows"]);
        Assert.Equal("0", s["mcp_egress_keylog_secrets"]);
        Assert.Equal("0", s["mcp_egress_last_message_timestamp_seconds"]);
        Assert.Equal("0", s["mcp_egress_config_reloads_total{result=\"success\"}"]);
        Assert.Equal("0", s["mcp_egress_config_reloads_total{result=\"failure\"}"]);
        foreach (var kind in new[] { "message", "alert", "tls" }) Assert.Equal("0", s[$"mcp_egress_events_written_total{{kind=\"{kind}\"}}"]);
        // Dynamic-label families have no series yet.
        Assert.DoesNotContain(s.Keys, k => k.StartsWith("mcp_egress_hidden_recipients_total", StringComparison.Ordinal));
    }

    [Fact]
    public void OnMessage_CountsTransportRolesHiddenDomainsAlertsAndPackage()
    {
        var metrics = new EgressMetrics();
        var smtp = SmtpMessage();
        metrics.OnMessage(smtp, [HiddenAlert(smtp), HiddenAlert(smtp)], "postmark-mcp");
        var api = ApiMessage("postmark");
        metrics.OnMessage(api, [new Alert(DeniedDomainRule.RuleId, "denied", Severity.Critical, "x", api, new MailAddress("phan@giftshop.club"), RecipientRole.Bcc, "giftshop.club")], null);
        metrics.OnMessage(ApiMessage("not-a-provider"), [], "");

        var s = Exposition.Samples(metrics);
        Assert.Equal("1", s["mcp_egress_messages_total{transport=\"smtp\",provider=\"none\"}"]);
        Assert.Equal("1", s["mcp_egress_messages_total{transport=\"http\",provider=\"postmark\"}"]);
        Assert.Equal("1", s["mcp_egress_messages_total{transport=\"http\",provider=\"other\"}"]);
        Assert.Equal("0", s["mcp_egress_messages_total{transport=\"http\",provider=\"sendgrid\"}"]);
        // to = To + Resent-To: (1+1) + 1 + 1; cc = Cc + Resent-Cc: 2 + 1 + 1; hidden: 2 + 1 + 1.
        Assert.Equal("4", s["mcp_egress_recipients_total{role=\"to\"}"]);
        Assert.Equal("4", s["mcp_egress_recipients_total{role=\"cc\"}"]);
        Assert.Equal("4", s["mcp_egress_recipients_total{role=\"hidden\"}"]);
        // By registrable domain: mail.giftshop.club and giftshop.club are one organisation.
        Assert.Equal("3", s["mcp_egress_hidden_recipients_total{domain=\"giftshop.club\",reason=\"bcc_field\"}"]);
        Assert.Equal("0", s["mcp_egress_hidden_recipients_total{domain=\"giftshop.club\",reason=\"envelope_only\"}"]);
        Assert.Equal("1", s["mcp_egress_hidden_recipients_total{domain=\"example.co.uk\",reason=\"envelope_only\"}"]);
        Assert.Equal("2", s["mcp_egress_alerts_total{rule=\"hidden-foreign-domain\",severity=\"high\"}"]);
        Assert.Equal("1", s["mcp_egress_alerts_total{rule=\"denied-domain\",severity=\"critical\"}"]);
        Assert.Equal("1", s["mcp_egress_process_messages_total{package=\"postmark-mcp\"}"]);
        Assert.Equal("2", s["mcp_egress_process_messages_total{package=\"unknown\"}"]);
        Assert.Equal("1758794473", s["mcp_egress_last_message_timestamp_seconds"]);
    }

    [Fact]
    public void HiddenDomainsAndPackages_AreCapped()
    {
        var metrics = new EgressMetrics(new EgressMetricsOptions { HiddenDomainCap = 2, PackageCap = 1 });
        for (int i = 0; i < 5; i++)
        {
            var m = new MailMessage { Transport = MailTransport.Smtp, Hidden = [H($"x@host.d{i}.test", HiddenReason.EnvelopeOnly)] };
            metrics.OnMessage(m, [], "pkg" + i);
        }
        var s = Exposition.Samples(metrics);
        var domains = s.Keys.Where(k => k.StartsWith("mcp_egress_hidden_recipients_total{", StringComparison.Ordinal) && k.EndsWith("envelope_only\"}", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, domains.Count); // d0.test, d1.test, other
        Assert.Equal("1", s["mcp_egress_hidden_recipients_total{domain=\"d0.test\",reason=\"envelope_only\"}"]);
        Assert.Equal("3", s["mcp_egress_hidden_recipients_total{domain=\"other\",reason=\"envelope_only\"}"]);
        Assert.Equal("1", s["mcp_egress_process_messages_total{package=\"pkg0\"}"]);
        Assert.Equal("4", s["mcp_egress_process_messages_total{package=\"other\"}"]);
        Assert.False(s.ContainsKey("mcp_egress_process_messages_total{package=\"pkg1\"}"));
    }

    [Fact]
    public void TlsSessions_ByDecryptedAndDestination()
    {
        var metrics = new EgressMetrics();
        metrics.OnTlsSession(Tls(decrypted: true), "postmark");
        metrics.OnTlsSession(Tls(decrypted: false), "smtp");
        metrics.OnTlsSession(Tls(decrypted: false), "evil.example"); // not a bounded value: other
        var s = Exposition.Samples(metrics);
        Assert.Equal("1", s["mcp_egress_tls_sessions_total{decrypted=\"true\",destination=\"postmark\",mcp_server=\"\",instrumented=\"\"}"]);
        Assert.Equal("1", s["mcp_egress_tls_sessions_total{decrypted=\"false\",destination=\"smtp\",mcp_server=\"\",instrumented=\"\"}"]);
        Assert.Equal("1", s["mcp_egress_tls_sessions_total{decrypted=\"false\",destination=\"other\",mcp_server=\"\",instrumented=\"\"}"]);
        Assert.Equal("0", s["mcp_egress_tls_sessions_total{decrypted=\"true\",destination=\"smtp\",mcp_server=\"\",instrumented=\"\"}"]);
    }

    private static TlsSessionRecord Tls(bool decrypted) => new()
    {
        FlowId = 1,
        Source = default,
        Destination = default,
        StartTimestampNs = 1,
        EndTimestampNs = 2,
        Info = new TlsSessionInfo { Decrypted = decrypted },
    };

    [Fact]
    public void CaptureStats_FromCumulativeValues_StayMonotonic()
    {
        var metrics = new EgressMetrics();
        metrics.AddInterface("eth0");
        var s = Exposition.Samples(metrics);
        Assert.Equal("0", s["mcp_egress_capture_packets_total{interface=\"eth0\"}"]);
        Assert.Equal("0", s["mcp_egress_capture_drops_total{interface=\"eth0\",cause=\"queue\"}"]);

        metrics.SetCaptureStats("eth0", 100, 64_000, 2, 1, 0);
        metrics.SetCaptureStats("eth0", 150, 96_000, 2, 1, 3);
        metrics.SetCaptureStats("eth0", 40, 10_000, 0, 0, 3); // handle reopened: counted as a restart from zero
        s = Exposition.Samples(metrics);
        Assert.Equal("190", s["mcp_egress_capture_packets_total{interface=\"eth0\"}"]);
        Assert.Equal("106000", s["mcp_egress_capture_bytes_total{interface=\"eth0\"}"]);
        Assert.Equal("2", s["mcp_egress_capture_drops_total{interface=\"eth0\",cause=\"kernel\"}"]);
        Assert.Equal("1", s["mcp_egress_capture_drops_total{interface=\"eth0\",cause=\"interface\"}"]);
        Assert.Equal("3", s["mcp_egress_capture_drops_total{interface=\"eth0\",cause=\"queue\"}"]);
    }

    private static string AnomalySeries(string stage, string name) => $"mcp_egress_anomalies_total{{stage=\"{stage}\",name=\"{name}\"}}";

    [Fact]
    public void Anomalies_ReadAtScrapeTime_AndContinueAcrossTables()
    {
        var metrics = new EgressMetrics();
        var first = new AnomalyCounters();
        metrics.AttachAnomalies(first);
        string lineTooLong = AnomalySeries(AnomalyStage.Smtp, SmtpAnomalies.LineTooLong);
        first.Report(AnomalyStage.Smtp, SmtpAnomalies.LineTooLong);
        first.Report(AnomalyStage.Smtp, SmtpAnomalies.LineTooLong);
        Assert.Equal("2", Exposition.Samples(metrics)[lineTooLong]);
        first.Report(AnomalyStage.Smtp, SmtpAnomalies.LineTooLong);
        first.Report(AnomalyStage.Tls, TlsAnomalies.BadRecordHeader);
        var s = Exposition.Samples(metrics);
        Assert.Equal("3", s[lineTooLong]);
        Assert.Equal("1", s[AnomalySeries(AnomalyStage.Tls, TlsAnomalies.BadRecordHeader)]);

        var second = new AnomalyCounters(); // a restarted pipeline starts from zero
        second.Report(AnomalyStage.Smtp, SmtpAnomalies.LineTooLong);
        metrics.AttachAnomalies(second);
        Assert.Equal("4", Exposition.Samples(metrics)[lineTooLong]);
    }

    [Fact]
    public void EveryCataloguedAnomaly_ExistsAtZeroBeforeAnyInput()
    {
        var s = Exposition.Samples(new EgressMetrics());
        foreach (var a in AnomalyCatalog.All) Assert.Equal("0", s[AnomalySeries(a.Stage, a.Name)]);
        Assert.Equal(AnomalyCatalog.All.Count, s.Keys.Count(k => k.StartsWith("mcp_egress_anomalies_total{", StringComparison.Ordinal)));
    }

    [Fact]
    public void CataloguedAnomalies_AreOutsideTheSeriesCap_UncataloguedOnesFold()
    {
        var metrics = new EgressMetrics(new EgressMetricsOptions { AnomalySeriesCap = 1 });
        var table = new AnomalyCounters();
        metrics.AttachAnomalies(table);
        foreach (var a in AnomalyCatalog.All) table.Report(a.Stage, a.Name);
        table.Report(AnomalyStage.Tls, "not_catalogued_1"); // a bug that would mint names: the first fits the cap ...
        table.Report(AnomalyStage.Tls, "not_catalogued_2"); // ... the next folds into "other"
        var s = Exposition.Samples(metrics);
        foreach (var a in AnomalyCatalog.All) Assert.Equal("1", s[AnomalySeries(a.Stage, a.Name)]);
        Assert.Equal("1", s[AnomalySeries(AnomalyStage.Tls, "not_catalogued_1")]);
        Assert.Equal("1", s[AnomalySeries(AnomalyStage.Tls, "other")]);
        Assert.False(s.ContainsKey(AnomalySeries(AnomalyStage.Tls, "not_catalogued_2")));
    }

    [Fact]
    public void GaugeCallbacks_ReloadsEventsAndUnreadable()
    {
        var metrics = new EgressMetrics();
        int flows = 3;
        metrics.SetActiveFlowsCallback(() => flows);
        metrics.SetBufferedBytesCallback("reassembly", () => 4096);
        metrics.SetKeylogSecretsCallback(() => 12);
        Assert.Throws<ArgumentException>(() => metrics.SetBufferedBytesCallback("heap", () => 1));
        metrics.OnConfigReload(true);
        metrics.OnConfigReload(false);
        metrics.OnConfigReload(false);
        metrics.OnEventWritten("message");
        metrics.OnEventWritten("alert");
        metrics.OnEventWritten("alert");
        metrics.OnMailApiUnreadable("sendgrid", "bad_json");
        metrics.OnMailApiUnreadable("nobody", "truncated");
        flows = 5;

        var s = Exposition.Samples(metrics);
        Assert.Equal("5", s["mcp_egress_active_flows"]);
        Assert.Equal("4096", s["mcp_egress_buffered_bytes{kind=\"reassembly\"}"]);
        Assert.Equal("0", s["mcp_egress_buffered_bytes{kind=\"tls_parked\"}"]);
        Assert.Equal("12", s["mcp_egress_keylog_secrets"]);
        Assert.Equal("1", s["mcp_egress_config_reloads_total{result=\"success\"}"]);
        Assert.Equal("2", s["mcp_egress_config_reloads_total{result=\"failure\"}"]);
        Assert.Equal("1", s["mcp_egress_events_written_total{kind=\"message\"}"]);
        Assert.Equal("2", s["mcp_egress_events_written_total{kind=\"alert\"}"]);
        Assert.Equal("1", s["mcp_egress_mail_api_unreadable_total{provider=\"sendgrid\",reason=\"bad_json\"}"]);
        Assert.Equal("1", s["mcp_egress_mail_api_unreadable_total{provider=\"other\",reason=\"truncated\"}"]);
    }

    /// <summary>Every family of the contract, each fed, for promtool and Prometheus tests.</summary>
    internal static EgressMetrics FullyPopulated()
    {
        var metrics = new EgressMetrics(new EgressMetricsOptions { Version = "0.1.0", Commit = "deadbeef" });
        var smtp = SmtpMessage();
        metrics.OnMessage(smtp, [HiddenAlert(smtp)], "postmark-mcp");
        metrics.OnMessage(ApiMessage("postmark"), [], null);
        metrics.OnTlsSession(Tls(true), "postmark");
        metrics.OnMailApiUnreadable("sendgrid", "bad_json");
        metrics.SetCaptureStats("eth0", 1000, 640_000, 1, 0, 2);
        metrics.OnConfigReload(true);
        metrics.OnEventWritten("message");
        metrics.SetActiveFlowsCallback(() => 7);
        metrics.SetBufferedBytesCallback("tls_parked", () => 1024);
        metrics.SetKeylogSecretsCallback(() => 4);
        var anomalies = new AnomalyCounters();
        anomalies.Report(AnomalyStage.Imf, ImfAnomalies.HeaderBlockTooLarge);
        metrics.AttachAnomalies(anomalies);
        metrics.SetMcpServerDestinations("claude-desktop", "postmark", 2);
        metrics.SetEgressOverflowCallback(() => (0, 1, 0));
        metrics.SetStateWritesDroppedCallback(() => 3);
        metrics.SetWorkerPackets(0, 10);
        return metrics;
    }

    [Fact]
    public void WorkerPackets_OneSeriesPerWorker_FollowsCumulativeCounts()
    {
        var metrics = new EgressMetrics();
        metrics.SetWorkerPackets(1, 40);
        metrics.SetWorkerPackets(0, 7);
        var s = Exposition.Samples(metrics);
        Assert.Equal("7", s["mcp_egress_worker_packets_total{worker=\"0\"}"]);
        Assert.Equal("40", s["mcp_egress_worker_packets_total{worker=\"1\"}"]);
        metrics.SetWorkerPackets(1, 45);
        Assert.Equal("45", Exposition.Samples(metrics)["mcp_egress_worker_packets_total{worker=\"1\"}"]);
    }

    [Fact]
    public void EgressAndStateCountersFollowTheirSources_AndNeverGoDown()
    {
        var metrics = new EgressMetrics();
        var s = Exposition.Samples(metrics);
        Assert.Equal("0", s["mcp_egress_state_writes_dropped_total"]);
        foreach (var limit in new[] { "servers", "destinations", "pending" })
            Assert.Equal("0", s[$"mcp_egress_egress_overflow_total{{limit=\"{limit}\"}}"]);
        long dropped = 5, servers = 2;
        metrics.SetStateWritesDroppedCallback(() => dropped);
        metrics.SetEgressOverflowCallback(() => (servers, 7, 1));
        metrics.SetMcpServerDestinations("claude-desktop", "postmark", 3);
        s = Exposition.Samples(metrics);
        Assert.Equal("5", s["mcp_egress_state_writes_dropped_total"]);
        Assert.Equal("2", s["mcp_egress_egress_overflow_total{limit=\"servers\"}"]);
        Assert.Equal("7", s["mcp_egress_egress_overflow_total{limit=\"destinations\"}"]);
        Assert.Equal("3", s["mcp_egress_mcp_server_destinations{client=\"claude-desktop\",server=\"postmark\"}"]);
        // A reopened state database starts from zero: the counter continues.
        dropped = 0;
        metrics.SetStateWritesDroppedCallback(() => dropped);
        dropped = 2;
        Assert.Equal("7", Exposition.Samples(metrics)["mcp_egress_state_writes_dropped_total"]);
    }

    [Fact]
    public void Attribution_SeriesAtZero_ThenReadFromTheSourceAtEachScrape_AndStayMonotonic()
    {
        var m = new EgressMetrics();
        var s = Exposition.Samples(m);
        Assert.Equal("0", s["mcp_egress_attribution_queue_depth"]);
        foreach (var r in EgressLabelValues.AttributionResults) Assert.Equal("0", s[$"mcp_egress_attribution_lookups_total{{result=\"{r}\"}}"]);
        foreach (var o in EgressLabelValues.DeferredOutcomes) Assert.Equal("0", s[$"mcp_egress_deferred_messages_total{{outcome=\"{o}\"}}"]);

        var counts = new AttributionCounts { QueueDepth = 7, Lookups = [1, 2, 3, 4, 5, 6], Scans = 9, Dropped = 11, Deferred = [5, 2, 1, 1, 3] };
        m.SetAttributionSource(() => counts);
        s = Exposition.Samples(m);
        Assert.Equal("7", s["mcp_egress_attribution_queue_depth"]);
        Assert.Equal("4", s["mcp_egress_attribution_lookups_total{result=\"no_socket\"}"]);
        Assert.Equal("6", s["mcp_egress_attribution_lookups_total{result=\"negative_cache\"}"]);
        Assert.Equal("9", s["mcp_egress_attribution_scans_total"]);
        Assert.Equal("11", s["mcp_egress_attribution_dropped_total"]);
        Assert.Equal("1", s["mcp_egress_deferred_messages_total{outcome=\"timeout\"}"]);
        Assert.Equal("3", s["mcp_egress_deferred_messages_total{outcome=\"overflow\"}"]);
        // A source that restarts from zero (a new service) continues the counters.
        counts = new AttributionCounts { QueueDepth = 0, Lookups = [0, 0, 0, 1, 0, 0], Scans = 1, Dropped = 0, Deferred = [0, 0, 0, 0, 0] };
        s = Exposition.Samples(m);
        Assert.Equal("5", s["mcp_egress_attribution_lookups_total{result=\"no_socket\"}"]);
        Assert.Equal("10", s["mcp_egress_attribution_scans_total"]);
        Assert.Equal("0", s["mcp_egress_attribution_queue_depth"]);
    }

    [Fact]
    public void FullyPopulated_HasEveryContractFamily()
    {
        string text = FullyPopulated().ToText();
        string[] families =
        [
            "build_info", "start_time_seconds", "messages_total", "recipients_total", "hidden_recipients_total", "alerts_total",
            "process_messages_total", "tls_sessions_total", "mail_api_unreadable_total", "capture_packets_total",
            "capture_bytes_total", "capture_drops_total", "bypassed_packets_total", "bypassed_bytes_total", "anomalies_total", "active_flows", "buffered_bytes",
            "keylog_secrets", "last_message_timestamp_seconds", "config_reloads_total", "events_written_total", "mcp_server_info",
            "mcp_server_destinations", "egress_overflow_total", "state_writes_dropped_total",
            "attribution_queue_depth", "attribution_lookups_total", "attribution_scans_total", "attribution_dropped_total",
            "deferred_messages_total", "worker_packets_total",
        ];
        foreach (var f in families) Assert.Contains($"\n# TYPE mcp_egress_{f} ", "\n" + text);
        Assert.Equal(families.Length, text.Split('\n').Count(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)));
    }
}
