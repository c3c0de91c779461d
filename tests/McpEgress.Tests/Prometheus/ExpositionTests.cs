using System.Text.RegularExpressions;
using McpEgress.Export.Prometheus;
using McpEgress.Mail;

namespace McpEgress.Tests.Prometheus;

/// <summary>
/// The text prometheus-net writes for our registry, read back line by line: every family declared once with the
/// contract's type, label values escaped and UTF-8, values that Prometheus reads back, failing sources contained,
/// counters that never go down, and no state shared between two metrics objects.
/// </summary>
public partial class ExpositionTests
{
    [Fact]
    public void EveryLineIsHelpTypeOrASampleOfTheFamilyAbove()
    {
        string text = EgressMetricsTests.FullyPopulated().ToText();
        Assert.EndsWith("\n", text);
        string? family = null;
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                family = line.Split(' ')[2];
                Assert.True(declared.Add(family), "declared twice: " + family);
                continue;
            }
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.Equal(family, parts[2]);
                Assert.Equal(parts[2].EndsWith("_total", StringComparison.Ordinal) ? "counter" : "gauge", parts[3]);
                continue;
            }
            var m = SampleRegex().Match(line);
            Assert.True(m.Success, "not a sample line: " + line);
            Assert.Equal(family, m.Groups[1].Value);
            Assert.True(double.TryParse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture, out _) || m.Groups[2].Value is "NaN" or "+Inf" or "-Inf", line);
        }
    }

    [Fact]
    public void LabelValues_AreEscapedAndUtf8()
    {
        var metrics = new EgressMetrics();
        metrics.OnMailApiUnreadable("postmark", "quote\"back\\slash\nnewline");
        metrics.OnMessage(new MailMessage { Transport = MailTransport.Smtp }, [], "bücher-mcp");
        string text = metrics.ToText();
        Assert.Contains("mcp_egress_mail_api_unreadable_total{provider=\"postmark\",reason=\"quote\\\"back\\\\slash\\nnewline\"} 1\n", text);
        Assert.Contains("mcp_egress_process_messages_total{package=\"bücher-mcp\"} 1\n", text);
    }

    [Fact]
    public void FailingGaugeSource_IsNaN_AndTheScrapeGoesOn()
    {
        var metrics = new EgressMetrics();
        metrics.SetActiveFlowsCallback(() => throw new InvalidOperationException("source gone"));
        metrics.SetKeylogSecretsCallback(() => 1e20);
        metrics.OnConfigReload(true);
        var s = Exposition.Samples(metrics);
        Assert.Equal("NaN", s["mcp_egress_active_flows"]);
        Assert.Equal("1e+20", s["mcp_egress_keylog_secrets"]);
        Assert.Equal("1", s["mcp_egress_config_reloads_total{result=\"success\"}"]);
        metrics.SetActiveFlowsCallback(() => 0.25);
        Assert.Equal("0.25", Exposition.Samples(metrics)["mcp_egress_active_flows"]);
    }

    [Fact]
    public void CumulativeFeeds_NeverGoDown()
    {
        var metrics = new EgressMetrics();
        metrics.SetCaptureStats("lo", 5, 500, 0, 0, 0);
        metrics.SetCaptureStats("lo", -1, 400, 0, 0, 0); // negative: ignored; lower: a restart, counted whole
        var s = Exposition.Samples(metrics);
        Assert.Equal("5", s["mcp_egress_capture_packets_total{interface=\"lo\"}"]);
        Assert.Equal("900", s["mcp_egress_capture_bytes_total{interface=\"lo\"}"]);
    }

    [Fact]
    public void TwoMetricsObjects_ShareNothing()
    {
        var a = new EgressMetrics();
        var b = new EgressMetrics();
        a.OnConfigReload(false);
        Assert.Equal("1", Exposition.Samples(a)["mcp_egress_config_reloads_total{result=\"failure\"}"]);
        Assert.Equal("0", Exposition.Samples(b)["mcp_egress_config_reloads_total{result=\"failure\"}"]);
        Assert.Equal(a.ToText().Split('\n').Count(l => l.StartsWith("# TYPE", StringComparison.Ordinal)),
            b.ToText().Split('\n').Count(l => l.StartsWith("# TYPE", StringComparison.Ordinal)));
        // prometheus-net's default process_* and dotnet_* collectors live in its static registry, not in ours.
        Assert.DoesNotContain("\n# TYPE process_", "\n" + a.ToText());
        Assert.DoesNotContain("\n# TYPE dotnet_", "\n" + a.ToText());
    }

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?:[a-zA-Z_][a-zA-Z0-9_]*=""(?:[^""\\]|\\.)*"",?)*\})? (\S+)$")]
    private static partial Regex SampleRegex();
}
