using McpEgress.Capture;
using McpEgress.Decode;
using McpEgress.Protocols.Routing;
using McpEgress.Reassembly;

namespace McpEgress.Pipeline;

/// <summary>Every stage's limits in one object (what a config file's <c>limits</c> section sets).</summary>
public sealed class PipelineOptions
{
    public CaptureReaderOptions Capture { get; init; } = new();
    public DecoderOptions Decoder { get; init; } = new();
    public ReassemblyOptions Reassembly { get; init; } = new();
    public ProtocolSettings Protocols { get; init; } = new();

    /// <summary>How often (packet time) idle flows are expired. Default 1 s.</summary>
    public long IdleCheckIntervalNs { get; init; } = 1_000_000_000;
}
