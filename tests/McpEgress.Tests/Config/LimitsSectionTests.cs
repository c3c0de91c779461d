using McpEgress.Config;
using McpEgress.Pipeline;

namespace McpEgress.Tests.Config;

public sealed class LimitsSectionTests
{
    private static PipelineOptions Bind(string yaml) => ConfigLoader.Parse(yaml, "yaml", "t.yaml").Limits;

    [Fact]
    public void SetsOptionsOfEveryStageBySnakeCaseName()
    {
        var o = Bind("""
            limits:
              reassembly: { max_flows: 1234, idle_timeout: 90s }
              smtp: { max_recipients_per_transaction: 77 }
              decode: { fragment_timeout: 2m }
              tls: { max_pending_ciphertext_bytes: 1048576 }
              http: { max_body_bytes: 65536 }
              protocol: { max_probe_bytes_per_direction: 2048, parked_tls_hold: 1h }
            """);
        Assert.Equal(1234, o.Reassembly.MaxFlows);
        Assert.Equal(TimeSpan.FromSeconds(90), o.Reassembly.IdleTimeout);
        Assert.Equal(77, o.Protocols.Smtp.MaxRecipientsPerTransaction);
        Assert.Equal(TimeSpan.FromMinutes(2), o.Decoder.FragmentTimeout);
        Assert.Equal(1 << 20, o.Protocols.Tls.MaxPendingCiphertextBytes);
        Assert.Equal(65536, o.Protocols.Http.MaxBodyBytes);
        Assert.Equal(2048, o.Protocols.Protocol.MaxProbeBytesPerDirection);
        Assert.Equal(TimeSpan.FromHours(1), o.Protocols.Protocol.ParkedTlsHold);
        // Untouched options keep their defaults.
        Assert.Equal(new McpEgress.Reassembly.ReassemblyOptions().MaxBufferedBytesTotal, o.Reassembly.MaxBufferedBytesTotal);
    }

    [Theory]
    [InlineData("limits:\n  nosuch: { a: 1 }\n", "t.yaml:2:3: limits.nosuch: unknown section")]
    [InlineData("limits:\n  reassembly: { max_flow: 5 }\n", "t.yaml:2:17: limits.reassembly.max_flow: unknown limit")]
    [InlineData("limits:\n  reassembly: { max_flows: -1 }\n", "t.yaml:2:17: limits.reassembly.max_flows: expected a positive whole number")]
    [InlineData("limits:\n  reassembly: { max_flows: 99999999999 }\n", "t.yaml:2:17: limits.reassembly.max_flows: must be at most")]
    [InlineData("limits:\n  reassembly: { idle_timeout: soon }\n", "t.yaml:2:17: limits.reassembly.idle_timeout: expected a positive duration")]
    [InlineData("limits:\n  reassembly: 5\n", "t.yaml:2:3: limits.reassembly: expected a mapping")]
    [InlineData("limits:\n  smtp: { max_line_bytes: 1, max_line_bytes: 2 }\n", "t.yaml:2:")] // YamlDotNet: duplicate key
    public void BadLimitsNameTheFileLineColumnKeyAndProblem(string yaml, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => Bind(yaml));
        Assert.StartsWith(expected, ex.Message);
    }

    [Fact]
    public void DuplicateJsonKeysInASectionAreErrorsNotACrash()
    {
        // Before the typed model a duplicate key inside limits: or watch: of a JSON file threw ArgumentException.
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(
            "{\"limits\": {\"smtp\": {}, \"smtp\": {}},\n \"watch\": {\"filter\": \"a\", \"filter\": \"b\"}}", "json", "c.json"));
        Assert.Equal(["c.json:1:25: limits.smtp: duplicate key", "c.json:2:27: watch.filter: duplicate key"], ex.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void DurationsAndEveryLimitRoundTrip()
    {
        var o = Bind("limits:\n  reassembly: { idle_timeout: 90s, closed_flow_linger: 250ms }\n  decode: { fragment_timeout: 0.1234567 }\n");
        var back = ConfigLoader.Parse(ConfigYamlWriter.Write(new McpEgressConfig { Limits = o }), "yaml").Limits;
        Assert.Equal(TimeSpan.FromSeconds(90), back.Reassembly.IdleTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), back.Reassembly.ClosedFlowLinger);
        Assert.Equal(o.Decoder.FragmentTimeout, back.Decoder.FragmentTimeout);
        Assert.Contains("idle_timeout: 90s", ConfigYamlWriter.Write(new McpEgressConfig { Limits = o }));
    }

    [Fact]
    public void ShippedExampleConfigBinds()
    {
        var o = ConfigLoader.Load(ConfigLoaderTests.ExampleConfig).Limits;
        Assert.Equal(1000, o.Protocols.Smtp.MaxRecipientsPerTransaction);
        Assert.Equal(3, o.Protocols.Imf.MaxAddressGroupDepth);
    }

    [Fact]
    public void ImfLimitsReachMimeKitParserOptions()
    {
        var o = Bind("limits:\n  imf: { max_address_group_depth: 5, strict: true, max_header_fields: 50 }\n");
        Assert.Equal(50, o.Protocols.Imf.MaxHeaderFields);
        var parser = o.Protocols.Imf.Parser;
        Assert.Equal(5, parser.MaxAddressGroupDepth);
        Assert.Equal(MimeKit.RfcComplianceMode.Strict, parser.AddressParserComplianceMode);
        Assert.False(parser.AllowUnquotedCommasInAddresses);
        Assert.Equal(1252, parser.CharsetEncoding.CodePage);
    }
}
