using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace McpEgress.Inventory.Instrument;

/// <summary>
/// Edits <c>env</c> of a server object in a JSON (with comments and trailing commas) config file by splicing bytes at
/// token positions found with <see cref="Utf8JsonReader"/>: a replaced value takes exactly the old value's bytes, new
/// members go right after the object's <c>{</c> in the object's own layout (one per line at the first member's indent,
/// or inline), so comments and formatting elsewhere are untouched and the result stays strict JSON when the input was.
/// </summary>
public sealed class JsonEnvEditor : IConfigEnvEditor
{
    private static readonly JsonReaderOptions ReaderOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 128 };
    private static readonly JsonWriterOptions StringOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private sealed record Member(string Name, int NameStart, int ValueStart, int ValueEnd, JsonTokenType Kind, string? Text);

    private sealed class JsonObject
    {
        public int Open, Close;
        public List<Member> Members { get; } = [];
    }

    public ConfigProblem? Check(string file, byte[] content)
    {
        var output = new Clients.ConfigReadOutput();
        using var doc = new JsonConfigSource(file, content, output).Parse();
        return output.Problems.FirstOrDefault();
    }

    public IReadOnlyDictionary<string, string?> Env(byte[] content, IReadOnlyList<string> serverPath)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        var objects = Locate(content, serverPath);
        if (objects.TryGetValue(Key([.. serverPath, "env"]), out var e))
            foreach (var m in e.Members) env[m.Name] = m.Kind == JsonTokenType.String ? m.Text : null;
        return env;
    }

    public byte[]? Set(byte[] content, IReadOnlyList<string> serverPath, IReadOnlyList<KeyValuePair<string, string>> variables, out string? why)
    {
        why = null;
        var objects = Locate(content, serverPath);
        if (!objects.TryGetValue(Key(serverPath), out var server))
        {
            why = "the server's entry is not an object in the file";
            return null;
        }
        string nl = content.AsSpan().IndexOf("\r\n"u8) >= 0 ? "\r\n" : "\n";
        var splices = new List<(int Start, int End, string Text)>();
        var envMember = server.Members.LastOrDefault(m => m.Name == "env");
        if (envMember is null || envMember.Kind == JsonTokenType.Null)
        {
            string envText = "\"env\": { " + string.Join(", ", variables.Select(MemberText)) + " }";
            if (envMember is null) splices.Add(Insert(content, server, [envText], nl));
            else splices.Add((envMember.ValueStart, envMember.ValueEnd, "{ " + string.Join(", ", variables.Select(MemberText)) + " }"));
        }
        else if (envMember.Kind != JsonTokenType.StartObject || !objects.TryGetValue(Key([.. serverPath, "env"]), out var env))
        {
            why = "its env is not an object";
            return null;
        }
        else
        {
            var added = new List<string>();
            foreach (var v in variables)
            {
                var existing = env.Members.LastOrDefault(m => m.Name == v.Key);
                if (existing is null) added.Add(MemberText(v));
                else splices.Add((existing.ValueStart, existing.ValueEnd, Quote(v.Value)));
            }
            if (added.Count > 0) splices.Add(Insert(content, env, added, nl));
        }
        var result = new List<byte>(content.Length + 256);
        int at = 0;
        foreach (var (start, end, text) in splices.OrderBy(s => s.Start))
        {
            result.AddRange(content.AsSpan(at, start - at));
            result.AddRange(Encoding.UTF8.GetBytes(text));
            at = end;
        }
        result.AddRange(content.AsSpan(at));
        return [.. result];
    }

    private static string MemberText(KeyValuePair<string, string> v) => Quote(v.Key) + ": " + Quote(v.Value);

    private static string Quote(string s)
    {
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json, StringOptions)) writer.WriteStringValue(s);
        return Encoding.UTF8.GetString(json.WrittenSpan);
    }

    /// <summary>New members right after the object's '{', in its layout: one per line at its members' indent, or inline.</summary>
    private static (int, int, string) Insert(byte[] content, JsonObject o, IReadOnlyList<string> members, string nl)
    {
        int pos = o.Open + 1;
        bool empty = o.Members.Count == 0;
        int first = empty ? o.Close : o.Members[0].NameStart;
        var between = content.AsSpan(pos, first - pos);
        int lastNl = between.LastIndexOf((byte)'\n');
        if (lastNl < 0)
            return (pos, pos, " " + string.Join(", ", members) + (empty ? " " : ","));
        string indent = LeadingWhitespace(between[(lastNl + 1)..]);
        if (empty) indent = LineIndent(content, o.Open) + "  ";
        var sb = new StringBuilder();
        for (int i = 0; i < members.Count; i++)
        {
            sb.Append(nl).Append(indent).Append(members[i]);
            if (i < members.Count - 1 || !empty) sb.Append(',');
        }
        return (pos, pos, sb.ToString());
    }

    private static string LeadingWhitespace(ReadOnlySpan<byte> s)
    {
        int n = 0;
        while (n < s.Length && s[n] is (byte)' ' or (byte)'\t') n++;
        return Encoding.ASCII.GetString(s[..n]);
    }

    private static string LineIndent(byte[] content, int index)
    {
        int start = content.AsSpan(0, index).LastIndexOf((byte)'\n') + 1;
        return LeadingWhitespace(content.AsSpan(start, index - start));
    }

    private static string Key(IReadOnlyList<string> path) => string.Join('\0', path);

    /// <summary>The objects at <paramref name="serverPath"/> and its <c>env</c>, with their members' token positions.</summary>
    private static Dictionary<string, JsonObject> Locate(byte[] content, IReadOnlyList<string> serverPath)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal) { Key(serverPath), Key([.. serverPath, "env"]) };
        var found = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        int offset = content.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        var stack = new List<(List<string> Path, JsonObject? Tracked, bool IsObject)>();
        string? pendingName = null;
        int pendingStart = 0;
        try
        {
            var reader = new Utf8JsonReader(content.AsSpan(offset), ReaderOptions);
            while (reader.Read())
            {
                int start = (int)reader.TokenStartIndex + offset;
                var parent = stack.Count > 0 ? stack[^1] : default;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingName = reader.GetString();
                        pendingStart = start;
                        continue;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                    {
                        var path = stack.Count == 0 ? new List<string>() : new List<string>(parent.Path) { pendingName ?? "[]" };
                        JsonObject? tracked = null;
                        if (reader.TokenType == JsonTokenType.StartObject && wanted.Contains(Key(path)))
                            found[Key(path)] = tracked = new JsonObject { Open = start };
                        if (parent.Tracked is not null && pendingName is not null)
                            parent.Tracked.Members.Add(new Member(pendingName, pendingStart, start, -1, reader.TokenType, null));
                        stack.Add((path, tracked, reader.TokenType == JsonTokenType.StartObject));
                        break;
                    }
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                    {
                        var top = stack[^1];
                        stack.RemoveAt(stack.Count - 1);
                        if (top.Tracked is not null) top.Tracked.Close = start;
                        if (stack.Count > 0 && stack[^1].Tracked is { } owner && owner.Members.Count > 0 && owner.Members[^1].ValueEnd < 0)
                            owner.Members[^1] = owner.Members[^1] with { ValueEnd = (int)reader.BytesConsumed + offset };
                        break;
                    }
                    default:
                        if (parent.Tracked is not null && pendingName is not null)
                            parent.Tracked.Members.Add(new Member(pendingName, pendingStart, start, (int)reader.BytesConsumed + offset, reader.TokenType,
                                reader.TokenType == JsonTokenType.String ? reader.GetString() : null));
                        break;
                }
                pendingName = null;
            }
        }
        catch (JsonException) { found.Clear(); }
        return found;
    }
}
