using McpEgress.Reassembly;

namespace McpEgress.Protocols.Routing;

/// <summary>
/// One protocol layer of a flow (probe, SMTP, TLS, ...). Layers stack: TLS hands its plaintext to a probe layer,
/// which hands it to SMTP or HTTP. Spans are only valid during the call.
/// </summary>
internal interface IStreamLayer
{
    void OnData(FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs);
    void OnGap(FlowDirection direction, long missingBytes, long timestampNs);
    void OnClose(long timestampNs);
}
