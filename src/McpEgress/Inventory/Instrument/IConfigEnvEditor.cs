namespace McpEgress.Inventory.Instrument;

/// <summary>
/// Reads and edits the env of one server entry of a config file as a minimal textual splice, so everything else —
/// comments, order, spacing, line ends — stays byte for byte. Never throws on bad input: a file it can't parse gives a
/// problem, a layout it can't edit safely gives a reason.
/// </summary>
public interface IConfigEnvEditor
{
    /// <summary>Null when <paramref name="content"/> parses; else the problem (file:line:col: what).</summary>
    ConfigProblem? Check(string file, byte[] content);

    /// <summary>The env of the entry at <paramref name="serverPath"/> (non-string values as null); empty when it has none.</summary>
    IReadOnlyDictionary<string, string?> Env(byte[] content, IReadOnlyList<string> serverPath);

    /// <summary><paramref name="content"/> with each variable set to its value (added or replaced); null and why when it can't.</summary>
    byte[]? Set(byte[] content, IReadOnlyList<string> serverPath, IReadOnlyList<KeyValuePair<string, string>> variables, out string? why);
}
