using System.Runtime.CompilerServices;

namespace McpEgress.Reassembly;

/// <summary>A counter per <see cref="FlowDirection"/>, stored inline in its owner (no array object).</summary>
[InlineArray(2)]
internal struct DirectionCounters
{
    private long _clientToServer;
}
