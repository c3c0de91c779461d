namespace McpEgress.Reassembly;

/// <summary>
/// What the reassembler hands to the protocol layer: each direction of each flow as an ordered byte stream.
/// Data spans are only valid during the call. Calls for one flow are never concurrent.
/// </summary>
public interface ITcpStreamHandler
{
    void OnFlowOpened(TcpFlow flow);

    /// <summary>In-order bytes of one direction.</summary>
    void OnData(TcpFlow flow, FlowDirection direction, ReadOnlySpan<byte> data, long timestampNs);

    /// <summary>
    /// <paramref name="missingBytes"/> bytes of this direction were never seen (lost, or not captured, or
    /// dropped by a limit). The next <see cref="OnData"/> continues after the hole.
    /// </summary>
    void OnGap(TcpFlow flow, FlowDirection direction, long missingBytes, long timestampNs);

    void OnFlowClosed(TcpFlow flow, FlowCloseReason reason, long timestampNs);
}
