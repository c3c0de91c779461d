using System.Text;
using System.Text.Json;

namespace McpEgress.Config;

/// <summary>
/// JSON text to a <see cref="ConfigNode"/> tree. Utf8JsonReader is used directly (not JsonDocument) because it
/// exposes each token's byte offset, from which line and column are computed. Comments and trailing commas are
/// tolerated in config files.
/// </summary>
internal static class JsonConfigReader
{
    public static ConfigNode? Read(string text, string source, List<ConfigError> errors, ConfigReadLimits limits)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        var lines = new LineMap(utf8);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            MaxDepth = limits.MaxDepth,
        });
        try
        {
            if (!reader.Read())
            {
                errors.Add(new ConfigError(source, 1, 1, "", "JSON syntax error: the file is empty"));
                return null;
            }
            var root = ReadValue(ref reader, lines);
            if (reader.Read())
            {
                var (l, c) = lines.Position(reader.TokenStartIndex);
                errors.Add(new ConfigError(source, l, c, "", "JSON syntax error: more than one value at the top level"));
                return null;
            }
            return root;
        }
        catch (JsonException e)
        {
            errors.Add(new ConfigError(source, (int)(e.LineNumber ?? -1) + 1, (int)(e.BytePositionInLine ?? -1) + 1, "",
                "JSON syntax error: " + StripPosition(e.Message)));
            return null;
        }
    }

    private static ConfigNode ReadValue(ref Utf8JsonReader reader, LineMap lines)
    {
        var (line, col) = lines.Position(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var entries = new List<ConfigEntry>();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var (kl, kc) = lines.Position(reader.TokenStartIndex);
                    string key = reader.GetString()!;
                    reader.Read();
                    entries.Add(new ConfigEntry(key, kl, kc, ReadValue(ref reader, lines)));
                }
                return new ConfigNode { Kind = ConfigNodeKind.Mapping, Line = line, Column = col, Entries = entries };
            }
            case JsonTokenType.StartArray:
            {
                var items = new List<ConfigNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    items.Add(ReadValue(ref reader, lines));
                return new ConfigNode { Kind = ConfigNodeKind.Sequence, Line = line, Column = col, Items = items };
            }
            case JsonTokenType.String:
                return new ConfigNode { Kind = ConfigNodeKind.String, Line = line, Column = col, Text = reader.GetString() };
            case JsonTokenType.Number:
                return new ConfigNode { Kind = ConfigNodeKind.Number, Line = line, Column = col, Text = Encoding.UTF8.GetString(reader.ValueSpan) };
            case JsonTokenType.True:
            case JsonTokenType.False:
                return new ConfigNode { Kind = ConfigNodeKind.Boolean, Line = line, Column = col, Text = reader.TokenType == JsonTokenType.True ? "true" : "false" };
            default:
                return new ConfigNode { Kind = ConfigNodeKind.Null, Line = line, Column = col };
        }
    }

    // Utf8JsonReader appends " LineNumber: n | BytePositionInLine: m." which the error prefix already says.
    private static string StripPosition(string message)
    {
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut >= 0 ? message[..cut] : message).TrimEnd();
    }

    /// <summary>Byte offset to 1-based line and column (column counted in characters, not bytes).</summary>
    private sealed class LineMap
    {
        private readonly byte[] _utf8;
        private readonly List<int> _lineStarts = [0];

        public LineMap(byte[] utf8)
        {
            _utf8 = utf8;
            for (int i = 0; i < utf8.Length; i++)
                if (utf8[i] == (byte)'\n') _lineStarts.Add(i + 1);
        }

        public (int Line, int Column) Position(long offset)
        {
            int idx = _lineStarts.BinarySearch((int)offset);
            if (idx < 0) idx = ~idx - 1;
            int col = 1;
            for (int i = _lineStarts[idx]; i < offset; i++)
                if ((_utf8[i] & 0xC0) != 0x80) col++;
            return (idx + 1, col);
        }
    }
}
