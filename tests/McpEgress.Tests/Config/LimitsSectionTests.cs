using McpEgress.Detection;
using McpEgress.Pipeline;
using McpEgress.Tests.Golden;

namespace McpEgress.Tests.Pipeline;

public sealed class LimitsBinderTests
{
    private static PipelineOptions Bind(string yaml) => LimitsBinder.Bind(ConfigLoader.Parse(yaml, "yaml").Limits, "t.yaml");

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
    [InlineData("limits:\n  nosuch: { a: 1 }\n", "limits.nosuch: unknown section")]
    [InlineData("limits:\n  reassembly: { max_flow: 5 }\n", "limits.reassembly.max_flow: unknown limit")]
    [InlineData("limits:\n  reassembly: { max_flows: -1 }\n", "limits.reassembly.max_flows: expected a positive whole number")]
    [InlineData("limits:\n  reassembly: { max_flows: 99999999999 }\n", "limits.reassembly.max_flows: must be at most")]
    [InlineData("limits:\n  reassembly: { idle_timeout: soon }\n", "limits.reassembly.idle_timeout: expected a positive duration")]
    [InlineData("limits:\n  reassembly: 5\n", "limits.reassembly: expected a mapping")]
    public void BadLimitsNameTheKeyAndTheProblem(string yaml, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => Bind(yaml));
        Assert.Contains(expected, ex.Message);
        Assert.StartsWith("t.yaml", ex.Message);
    }

    [Fact]
    public void ShippedExampleConfigBinds()
    {
        var path = Path.Combine(RepoPaths.Root, "src/McpEgress/Detection/mcp-egress.example.yaml");
        var o = LimitsBinder.Bind(ConfigLoader.Load(path).Limits, path);
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
