using McpEgress.Decode;
using McpEgress.Mail;
using McpEgress.Reassembly;

namespace McpEgress.Protocols.Routing;

/// <summary>
/// One TCP connection as the protocol stage ends up knowing it: its endpoints, the name of its destination (TLS SNI or
/// HTTP Host, when the flow showed one), bytes each way and its owning process. Emitted once when the destination name
/// becomes known while the flow is open (<see cref="Closed"/> false: bytes so far), and always when the flow ends
/// (<see cref="Closed"/> true: final bytes), for every flow whatever its protocol — the per-process egress view that
/// needs no keys. Carries facts only; what is "new" or "unusual" is decided downstream.
/// </summary>
public sealed class FlowSummaryRecord
{
    public required long FlowId { get; init; }
    /// <summary>The connection's (client, server) endpoints: the join key for a process resolved after the flow ended.</summary>
    public required FlowKey Key { get; init; }
    public Endpoint Source => Key.Client;
    public Endpoint Destination => Key.Server;
    public required long StartTimestampNs { get; init; }
    /// <summary>Packet time of the flow's end (or, on an open record, of the data that named its destination).</summary>
    public required long EndTimestampNs { get; init; }
    /// <summary>False: the flow is still open and its destination was just named; true: the flow ended.</summary>
    public required bool Closed { get; init; }
    /// <summary>On a closed record: an open record was emitted for this flow before (its connection is already counted).</summary>
    public bool ReportedOpen { get; init; }
    /// <summary>TLS server name (SNI) from the ClientHello, when sent.</summary>
    public string? ServerName { get; init; }
    /// <summary>HTTP authority (HTTP/2 :authority or HTTP/1 Host) of the flow's first request, as sent (may carry a port).</summary>
    public string? HttpHost { get; init; }
    /// <summary>Bytes client → server (delivered plus declared gaps).</summary>
    public required long BytesOut { get; init; }
    /// <summary>Bytes server → client (delivered plus declared gaps).</summary>
    public required long BytesIn { get; init; }
    /// <summary>The owning process, from the <see cref="IFlowAnnotator"/>; null when not (yet) known.</summary>
    public ProcessFacts? Process { get; init; }
    /// <summary>The proxy tunnel the flow's bytes ran in, if any (then <see cref="Destination"/> is the proxy).</summary>
    public TunnelFacts? Tunnel { get; init; }
}
