using McpEgress.Decode;
using McpEgress.Mail;

namespace McpEgress.Detection.Egress;

/// <summary>
/// An MCP server reached a destination it never reached before (first ever, across restarts with a state file):
/// the server, its package@version and process, the destination (<see cref="Destination"/> name when the flow named
/// one, its IP and port), the flow that showed it, and how many destinations the server has now.
/// </summary>
public sealed record NewDestination(
    EgressRow Row, ProcessFacts Process, long FlowId, Endpoint Source, Endpoint Destination, long TimestampNs, int KnownDestinations);
