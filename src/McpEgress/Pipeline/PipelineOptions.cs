using System.Diagnostics.CodeAnalysis;
using System.Reflection;
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

    /// <summary>
    /// A deep copy (every options object below is copied too): a consumer that adjusts its options (the live daemon sets
    /// the parked-TLS hold from <c>watch:</c>) changes its own copy, never its caller's object.
    /// </summary>
    public PipelineOptions Copy() => (PipelineOptions)CopyOf(this);

    // Every public read/write property (init ones too); options objects (McpEgress classes) are copied in turn, other
    // values (numbers, TimeSpans, strings) shared. Private caches (ImfOptions' MimeKit ParserOptions) are rebuilt on use.
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Options classes are McpEgress types; the AOT CLI roots the McpEgress assembly (TrimmerRootAssembly), so their constructors and properties are kept.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "As above.")]
    private static object CopyOf(object source)
    {
        var type = source.GetType();
        var copy = Activator.CreateInstance(type)!;
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!p.CanRead || !p.CanWrite || p.GetIndexParameters().Length > 0) continue;
            var value = p.GetValue(source);
            bool isOptions = value is not null && value.GetType() is { IsClass: true } t && t != typeof(string)
                && t.Namespace?.StartsWith("McpEgress", StringComparison.Ordinal) == true;
            p.SetValue(copy, isOptions ? CopyOf(value!) : value);
        }
        return copy;
    }
}
