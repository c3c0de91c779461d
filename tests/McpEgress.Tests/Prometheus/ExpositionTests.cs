using System.Buffers;
using System.Text;
using McpEgress.Export.Prometheus;

namespace McpEgress.Tests.Prometheus;

public class ExpositionTests
{
    [Fact]
    public void SmallRegistry_IsByteExact()
    {
        var r = new MetricRegistry();
        // Registered out of order: output sorts families by name.
        var requests = r.CreateCounter("test_requests_total", "Requests.\nSecond \\ line \"quoted\"", "code", "path");
        requests.WithLabels("500", "/").Inc();
        requests.WithLabels("200", "/a\"b\\c\nd").Inc(3);
        requests.Precreate("404", "/missing"); // created at zero
        r.CreateCounter("c_empty_total", "No series: not written.", "x");
        var frac = r.CreateCounter("d_fraction_total", "Fractional increments.");
        frac.Unlabelled.Inc(1.5);
        frac.Unlabelled.Inc(2);
        var callback = r.CreateGauge("b_callback", "Read at scrape time.", "kind");
        callback.WithLabels("ok").SetCallback(() => 42);
        callback.WithLabels("broken").SetCallback(() => throw new InvalidOperationException());
        callback.WithLabels("inf").Set(double.NegativeInfinity);
        var plain = r.CreateGauge("a_gauge", "A gauge.");
        plain.Unlabelled.Set(0.25);
        r.CreateCounter("e_zero_total", "Unlabelled counters exist at zero.");

        const string expected =
            "# HELP a_gauge A gauge.\n" +
            "# TYPE a_gauge gauge\n" +
            "a_gauge 0.25\n" +
            "# HELP b_callback Read at scrape time.\n" +
            "# TYPE b_callback gauge\n" +
            "b_callback{kind=\"broken\"} NaN\n" +
            "b_callback{kind=\"inf\"} -Inf\n" +
            "b_callback{kind=\"ok\"} 42\n" +
            "# HELP d_fraction_total Fractional increments.\n" +
            "# TYPE d_fraction_total counter\n" +
            "d_fraction_total 3.5\n" +
            "# HELP e_zero_total Unlabelled counters exist at zero.\n" +
            "# TYPE e_zero_total counter\n" +
            "e_zero_total 0\n" +
            // HELP escapes \ and newline only; label values escape \, " and newline.
            "# HELP test_requests_total Requests.\\nSecond \\\\ line \"quoted\"\n" +
            "# TYPE test_requests_total counter\n" +
            "test_requests_total{code=\"200\",path=\"/a\\\"b\\\\c\\nd\"} 3\n" +
            "test_requests_total{code=\"404\",path=\"/missing\"} 0\n" +
            "test_requests_total{code=\"500\",path=\"/\"} 1\n";

        Assert.Equal(expected, r.ToText());
        // Same bytes through every entry point, and again on a second scrape.
        var buffer = new ArrayBufferWriter<byte>(1);
        r.WriteTo(buffer);
        var stream = new MemoryStream();
        r.WriteTo(stream);
        Assert.Equal(Encoding.UTF8.GetBytes(expected), buffer.WrittenSpan.ToArray());
        Assert.Equal(Encoding.UTF8.GetBytes(expected), stream.ToArray());
        Assert.Equal(expected, r.ToText());
    }

    [Fact]
    public void NonAsciiLabelValues_AreUtf8()
    {
        var r = new MetricRegistry();
        r.CreateCounter("x_total", "X.", "domain").WithLabels("bücher.example").Inc();
        Assert.Equal(Encoding.UTF8.GetBytes("# HELP x_total X.\n# TYPE x_total counter\nx_total{domain=\"bücher.example\"} 1\n"), r.ToBytes());
    }

    [Theory]
    [InlineData(1e20, "1E+20")]
    [InlineData(0.1, "0.1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    public void GaugeValues_UseRoundTripFormat(double value, string text)
    {
        var r = new MetricRegistry();
        r.CreateGauge("g", "G.").Unlabelled.Set(value);
        Assert.EndsWith($"\ng {text}\n", r.ToText());
    }

    [Fact]
    public void Counter_NeverDecreases()
    {
        var r = new MetricRegistry();
        var c = r.CreateCounter("c_total", "C.").Unlabelled;
        c.Inc(5);
        c.Inc(-3);
        c.Inc(-1.5);
        c.Inc(double.NaN);
        c.IncTo(2);
        Assert.Equal(5, c.Value);
        c.IncTo(7.5);
        Assert.Equal(7.5, c.Value);
        c.Inc();
        Assert.Equal(8.5, c.Value);
    }

    [Theory]
    [InlineData("1abc")]
    [InlineData("a-b")]
    [InlineData("")]
    public void InvalidMetricNames_AreRejected(string name) =>
        Assert.Throws<ArgumentException>(() => new MetricRegistry().CreateCounter(name, "x"));

    [Theory]
    [InlineData("__reserved")]
    [InlineData("a:b")]
    [InlineData("9")]
    public void InvalidLabelNames_AreRejected(string label) =>
        Assert.Throws<ArgumentException>(() => new MetricRegistry().CreateCounter("ok_total", "x", label));

    [Fact]
    public void DuplicateFamilyAndWrongArity_AreRejected()
    {
        var r = new MetricRegistry();
        var c = r.CreateCounter("a_total", "A.", "x", "y");
        Assert.Throws<ArgumentException>(() => r.CreateGauge("a_total", "again"));
        Assert.Throws<ArgumentException>(() => c.WithLabels("only-one"));
        Assert.Throws<ArgumentException>(() => r.CreateCounter("b_total", "B.", "x", "x"));
    }

    [Fact]
    public void WithLabels_ReturnsTheSameSeries()
    {
        var c = new MetricRegistry().CreateCounter("a_total", "A.", "x");
        Assert.Same(c.WithLabels("v"), c.WithLabels("v"));
        Assert.NotSame(c.WithLabels("v"), c.WithLabels("w"));
        Assert.Equal(2, c.SeriesCount);
    }

    [Fact]
    public void NullLabelValue_IsExportedAsEmpty()
    {
        var r = new MetricRegistry();
        var c = r.CreateCounter("a_total", "A.", "x", "y");
        c.WithLabels(null!, "v").Inc();
        Assert.Same(c.WithLabels("", "v"), c.WithLabels(null!, "v"));
        c.WithLabels("", "v").Inc();
        Assert.Contains("a_total{x=\"\",y=\"v\"} 2\n", r.ToText());
    }

    [Fact]
    public void ThrowingCollectCallback_DoesNotBreakTheScrape()
    {
        var r = new MetricRegistry();
        r.CreateCounter("a_total", "A.").Unlabelled.Inc();
        r.AddBeforeCollect(() => throw new InvalidOperationException("source gone"));
        Assert.Contains("a_total 1\n", r.ToText());
    }
}
