namespace McpEgress.Config;

/// <summary>
/// One problem in a config file: where (file, 1-based line and column when known, key path such as
/// <c>detection.denied_domains[2]</c>) and what. Printed as <c>file:line:col: path: problem</c>.
/// </summary>
public sealed record ConfigError(string Source, int Line, int Column, string KeyPath, string Problem)
{
    public override string ToString()
    {
        // Always one line of readable length, whatever the file's keys and values hold (see ConfigReadLimits.Quote).
        string where = Line > 0 ? $"{Source}:{Line}:{Column}" : Source;
        string problem = ConfigReadLimits.Cut(Problem, 600); // room for the longest "expected one of" key list (watch:)
        return KeyPath.Length > 0 ? $"{where}: {ConfigReadLimits.Cut(KeyPath, 200)}: {problem}" : $"{where}: {problem}";
    }
}
