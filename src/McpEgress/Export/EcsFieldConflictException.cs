namespace McpEgress.Export;

/// <summary>
/// A field path was written twice in one event. Always a bug in the event mapping (each ECS field has exactly one
/// writer, see <see cref="EcsFieldWriter"/>), never caused by input; tests replay every capture to prove it can't happen.
/// </summary>
public sealed class EcsFieldConflictException(string path)
    : InvalidOperationException($"ECS field '{path}' written twice in one event")
{
    public string Path { get; } = path;
}
