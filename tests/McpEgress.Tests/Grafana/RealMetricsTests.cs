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
        Assert.Matches(@"mcp_egress_tls_sessions_total\{decrypted=""true"",destination=""smtp""\} [1-9]", text);
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
}
