using McpEgress.Reassembly;

namespace McpEgress.Protocols.Routing;

/// <summary>Swallows a stream nobody can read (unknown protocol, or TLS without keys); counts its bytes.</summary>
internal sealed class OpaqueLayer : IStreamLayer
{
    public long[] Bytes { get; } = new long[2];

    public void OnData(FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs) => Bytes[(int)direction] += data.Length;
    public void OnGap(FlowDirection direction, long missingBytes, long timestampNs) { }
    public void OnClose(long timestampNs) { }
}
