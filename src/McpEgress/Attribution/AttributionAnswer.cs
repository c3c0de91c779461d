using McpEgress.Reassembly;

namespace McpEgress.Attribution;

/// <summary>
/// The answer to one <see cref="AttributionService"/> lookup: the flow (its key and the reassembler's flow id), the
/// process when one was found (<see cref="AttributionResult.Process"/>, <see cref="AttributionResult.SocketOnly"/>,
/// <see cref="AttributionResult.SynTap"/>), else null.
/// </summary>
public readonly record struct AttributionAnswer(FlowKey Key, long FlowId, ProcessInfo? Info, AttributionResult Result);
