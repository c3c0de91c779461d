using System.Net;

namespace McpEgress.Benchmarks.Generator;

/// <summary>The 4-tuple a generated flow is placed on (the client is the agent host).</summary>
internal sealed record FlowEndpoints(IPAddress Client, ushort ClientPort, IPAddress Server, ushort ServerPort);
