using McpEgress.Decode;

namespace McpEgress.Attribution;

/// <summary>
/// One connection to attribute (<see cref="ProcessResolver.ResolveBatch"/>): its local and remote ends, and whether the
/// other end's socket may answer when this end has none (see <see cref="ProcessResolver.Resolve"/>).
/// </summary>
public readonly record struct SocketQuery(Endpoint Local, Endpoint Remote, bool AllowReverse);
