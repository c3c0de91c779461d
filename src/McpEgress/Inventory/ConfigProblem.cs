namespace McpEgress.Inventory;

/// <summary>
/// A config or advisory file that could not be read whole: which file, where (1-based line and column; 0 when not
/// known, e.g. permission denied) and what is wrong. Values are never quoted in <see cref="Message"/>.
/// </summary>
public sealed record ConfigProblem(string File, int Line, int Column, string Message)
{
    public override string ToString() =>
        Line > 0 ? (Column > 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}:{Line}: {Message}") : $"{File}: {Message}";
}
