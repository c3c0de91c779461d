using System.Text;
using System.Text.Json;

namespace McpEgress.Inventory;

/// <summary>
/// One JSON config file being read: parsed leniently (comments and trailing commas are normal in these files:
/// VS Code, Zed and Cursor write JSONC), with problems located at the line and column of what is wrong.
/// </summary>
public sealed class JsonConfigSource
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 128,
    };

    private readonly byte[] _bytes;
    private readonly int _offset;

    public string File { get; }
    public Clients.ConfigReadOutput Output { get; }

    public JsonConfigSource(string file, byte[] content, Clients.ConfigReadOutput output)
    {
        File = file;
        Output = output;
        _bytes = content;
        _offset = content.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
    }

    /// <summary>The parsed document, or null after adding a problem at the parser's line and column.</summary>
    public JsonDocument? Parse()
    {
        try
        {
            return JsonDocument.Parse(_bytes.AsMemory(_offset), DocumentOptions);
        }
        catch (JsonException e)
        {
            Output.Problems.Add(new ConfigProblem(File, (int)(e.LineNumber ?? -1) + 1, (int)(e.BytePositionInLine ?? -1) + 1,
                "not valid JSON: " + Describe(e.Message)));
            return null;
        }
    }

    /// <summary>Adds a problem about the property at <paramref name="path"/> (object keys from the root), located at its line.</summary>
    public void Problem(IReadOnlyList<string> path, string message)
    {
        var (line, column) = Locate(path);
        Output.Problems.Add(new ConfigProblem(File, line, column, $"{string.Join('.', path)}: {message}"));
    }

    /// <summary>1-based line and column of the property named by <paramref name="path"/>; (0, 0) when not found.</summary>
    public (int Line, int Column) Locate(IReadOnlyList<string> path)
    {
        try
        {
            var reader = new Utf8JsonReader(_bytes.AsSpan(_offset), new JsonReaderOptions
            {
                AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 128,
            });
            var names = new List<string?>(); // the property name each open container was the value of
            string? pending = null;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pending = reader.GetString();
                        if (names.Count == path.Count && pending == path[^1] && SamePrefix(names, path))
                            return LineAndColumn((int)reader.TokenStartIndex);
                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        names.Add(pending);
                        pending = null;
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        if (names.Count > 0) names.RemoveAt(names.Count - 1);
                        break;
                    default:
                        pending = null;
                        break;
                }
            }
        }
        catch (JsonException) { }
        return (0, 0);
    }

    // names[0] is the root (no name); names[i] for i >= 1 must equal path[i - 1].
    private static bool SamePrefix(List<string?> names, IReadOnlyList<string> path)
    {
        for (int i = 1; i < names.Count; i++)
            if (names[i] != path[i - 1]) return false;
        return true;
    }

    private (int, int) LineAndColumn(int index)
    {
        var span = _bytes.AsSpan(_offset, index);
        int line = 1 + span.Count((byte)'\n');
        int lastNewline = span.LastIndexOf((byte)'\n');
        return (line, index - lastNewline);
    }

    // "'x' is an invalid start of a value. LineNumber: 3 | BytePositionInLine: 4." → "'x' is an invalid start of a value"
    private static string Describe(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var text = (cut < 0 ? message : message[..cut]).TrimEnd('.', ' ');
        return text.Length > 200 ? text[..200] : text;
    }

    /// <summary>Decodes bytes for callers that need text (TOML).</summary>
    public static string Text(byte[] content) => Encoding.UTF8.GetString(content.AsSpan().StartsWith("\uFEFF"u8) ? content.AsSpan(3) : content);
}
