using McpEgress.Decode;

namespace McpEgress.Reassembly;

/// <summary>A TCP connection identified by its client and server endpoints.</summary>
public readonly record struct FlowKey(Endpoint Client, Endpoint Server)
{
    public override string ToString() => $"{Client} -> {Server}";
}
