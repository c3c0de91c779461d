namespace McpEgress.Tests.Grafana;

/// <summary>
/// The generated sample (<see cref="MetricsSample"/>) holds what the shipped captures really contain, so the queries
/// checked against it are checked against real numbers, not only real names.
/// </summary>
public sealed class RealMetricsTests
{
    [Fact]
    public void RealMetricsCountWhatTheCapturesHold()
    {
        var text = MetricsSample.Text;
        // The incident alone gives 3 critical denied-domain alerts; SMTP over STARTTLS and implicit TLS is decrypted.
        Assert.Matches(@"mcp_egress_alerts_total\{rule=""denied-domain"",severity=""critical""\} [1-9]\d*", text);
        Assert.Matches(@"mcp_egress_messages_total\{transport=""http"",provider=""postmark""\} [1-9]\d*", text);
        Assert.Matches(@"mcp_egress_messages_total\{transport=""smtp"",provider=""none""\} [1-9]\d*", text);
        Assert.Matches(@"mcp_egress_tls_sessions_total\{decrypted=""true"",destination=""smtp"",mcp_server="""",instrumented=""""\} [1-9]", text);
        Assert.Matches(@"mcp_egress_hidden_recipients_total\{domain=""giftshop.club"",reason=""envelope_only""\} [1-9]", text);
        Assert.Matches(@"mcp_egress_events_written_total\{kind=""message""\} [1-9]", text);
        Assert.Matches(@"mcp_egress_capture_packets_total\{interface=""lo""\} [1-9]", text);
        // A shipped capture holds a Postmark call the tool can't read as a send (an event of its own, never dropped).
        Assert.Matches(@"mcp_egress_mail_api_unreadable_total\{provider=""postmark"",reason=""[a-z_]+""\} [1-9]", text);
    }

    [Fact]
    public void EveryProviderOfTheCapturesIsCounted()
    {
        var samples = McpEgress.Tests.Prometheus.Exposition.Samples(MetricsSample.Text);
        // captures/api holds one capture per provider (README "Mail APIs").
        foreach (var p in McpEgress.Export.Prometheus.EgressLabelValues.Providers)
            Assert.True(int.Parse(samples[$"mcp_egress_messages_total{{transport=\"http\",provider=\"{p}\"}}"], System.Globalization.CultureInfo.InvariantCulture) > 0, p);
    }

    [Fact]
    public void MessageAndAlertTotalsAreExactlyWhatTheExpectedFilesSay()
    {
        // Replaying exactly the golden captures, each total follows from the senders' expectations: messages by transport
        // and provider, and one alert per rule per message that expects that rule to fire.
        var files = new List<string>();
        var messages = new Dictionary<string, int>(StringComparer.Ordinal);
        var alerts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in McpEgress.Tests.Golden.GoldenCaptureTests.ExpectedFiles().Cast<object[]>())
        {
            var path = Path.Combine(McpEgress.Tests.Golden.RepoPaths.Captures, (string)row[0]);
            var expected = McpEgress.Tests.Golden.ExpectedCapture.Load(path);
            files.Add(Path.Combine(Path.GetDirectoryName(path)!, expected.Capture));
            foreach (var m in expected.Messages)
            {
                string key = m.Provider is null ? "transport=\"smtp\",provider=\"none\"" : $"transport=\"http\",provider=\"{m.Provider}\"";
                messages[key] = messages.GetValueOrDefault(key) + 1;
                foreach (var rule in m.Alerts.Select(a => a.Rule).Distinct())
                {
                    string severity = rule == "denied-domain" ? "critical" : "high";
                    string k = $"rule=\"{rule}\",severity=\"{severity}\"";
                    alerts[k] = alerts.GetValueOrDefault(k) + 1;
                }
            }
        }
        var samples = McpEgress.Tests.Prometheus.Exposition.Samples(MetricsSample.Generate(files));
        long Value(string name) => long.Parse(samples[name], System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (labels, count) in messages)
            Assert.True(count == Value($"mcp_egress_messages_total{{{labels}}}"), $"messages_total{{{labels}}}: expected {count}, got {Value($"mcp_egress_messages_total{{{labels}}}")}");
        foreach (var (labels, count) in alerts)
            Assert.True(count == Value($"mcp_egress_alerts_total{{{labels}}}"), $"alerts_total{{{labels}}}: expected {count}, got {Value($"mcp_egress_alerts_total{{{labels}}}")}");
        long allMessages = samples.Where(kv => kv.Key.StartsWith("mcp_egress_messages_total{", StringComparison.Ordinal))
            .Sum(kv => long.Parse(kv.Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(messages.Values.Sum(), allMessages);
    }
}
