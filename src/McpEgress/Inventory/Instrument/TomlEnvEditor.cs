using System.Text;
using System.Text.RegularExpressions;
using Tomlyn;
using Tomlyn.Model;

namespace McpEgress.Inventory.Instrument;

/// <summary>
/// Edits <c>env</c> of a Codex <c>[mcp_servers.NAME]</c> table line by line, keeping every other byte (comments
/// included): a one-line inline table <c>env = { ... }</c> gets the new keys before its <c>}</c>; an
/// <c>[mcp_servers.NAME.env]</c> table gets new <c>KEY = "value"</c> lines after its last one; a table without env gets
/// an <c>env = { ... }</c> line after its last line. An existing key's string value is replaced in place. Values are read
/// back with Tomlyn; layouts other than these (servers as inline tables or dotted keys, multi-line env) are refused.
/// </summary>
public sealed partial class TomlEnvEditor : IConfigEnvEditor
{
    [GeneratedRegex("""^\s*\[\s*(?<path>[^\[\]#]+?)\s*\]\s*(#.*)?$""")]
    private static partial Regex TableHeader();

    [GeneratedRegex("""^(?<head>\s*env\s*=\s*\{)(?<inner>.*)(?<tail>\}\s*(#.*)?)$""")]
    private static partial Regex InlineEnv();

    public ConfigProblem? Check(string file, byte[] content)
    {
        var output = new Clients.ConfigReadOutput();
        new Clients.CodexConfigReader().Read(file, content, "user", null, output);
        return output.Problems.FirstOrDefault(p => p.Message.StartsWith("not valid TOML", StringComparison.Ordinal));
    }

    public IReadOnlyDictionary<string, string?> Env(byte[] content, IReadOnlyList<string> serverPath)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        try
        {
            object? node = Clients.TomlModelContext.Parse(JsonConfigSource.Text(content));
            foreach (var key in serverPath.Append("env"))
                node = node is TomlTable t && t.TryGetValue(key, out var v) ? v : null;
            if (node is TomlTable e)
                foreach (var (k, v) in e) env[k] = v as string;
        }
        catch (TomlException) { }
        return env;
    }

    public byte[]? Set(byte[] content, IReadOnlyList<string> serverPath, IReadOnlyList<KeyValuePair<string, string>> variables, out string? why)
    {
        why = null;
        bool bom = content.AsSpan().StartsWith("\uFEFF"u8);
        string text = JsonConfigSource.Text(content);
        string nl = text.Contains("\r\n") ? "\r\n" : "\n";
        var lines = text.Split('\n').ToList(); // each keeps its '\r' when the file has CRLF
        string Body(string l) => l.TrimEnd('\r');
        string Cr(string l) => l.EndsWith('\r') ? "\r" : "";

        int server = FindTable(lines, serverPath), envTable = FindTable(lines, [.. serverPath, "env"]);
        if (server < 0 && envTable < 0)
        {
            why = $"[{string.Join('.', serverPath)}] is not written as a table header (an inline table or dotted keys): edit it by hand";
            return null;
        }
        var remaining = variables.ToList();
        if (envTable >= 0)
        {
            int end = TableEnd(lines, envTable);
            ReplaceExisting(lines, envTable + 1, end, remaining);
            int last = LastContentLine(lines, envTable, end);
            lines.InsertRange(last + 1, remaining.Select(v => $"{v.Key} = {Quote(v.Value)}" + (nl == "\r\n" ? "\r" : "")));
        }
        else
        {
            int end = TableEnd(lines, server);
            int inline = -1;
            for (int i = server + 1; i < end; i++)
                if (Regex.IsMatch(Body(lines[i]), @"^\s*env\s*=")) { inline = i; break; }
            if (inline >= 0)
            {
                var m = InlineEnv().Match(Body(lines[inline]));
                if (!m.Success)
                {
                    why = "its env is not a one-line inline table: edit it by hand";
                    return null;
                }
                string inner = m.Groups["inner"].Value;
                foreach (var v in remaining.ToList())
                {
                    var existing = new Regex($@"(?<=(^|[{{,])\s*""?{Regex.Escape(v.Key)}""?\s*=\s*)(""(?:[^""\\]|\\.)*""|'[^']*')").Match(inner);
                    if (!existing.Success) continue;
                    inner = inner[..existing.Index] + Quote(v.Value) + inner[(existing.Index + existing.Length)..];
                    remaining.Remove(v);
                }
                if (remaining.Count > 0)
                {
                    string added = string.Join(", ", remaining.Select(v => $"{v.Key} = {Quote(v.Value)}"));
                    string trimmed = inner.TrimEnd();
                    inner = trimmed.Trim().Length == 0 ? " " + added + " "
                        : trimmed.EndsWith(',') ? trimmed + " " + added + " " : trimmed + ", " + added + " ";
                }
                lines[inline] = m.Groups["head"].Value + inner + m.Groups["tail"].Value + Cr(lines[inline]);
            }
            else
            {
                int last = LastContentLine(lines, server, end);
                lines.Insert(last + 1, "env = { " + string.Join(", ", remaining.Select(v => $"{v.Key} = {Quote(v.Value)}")) + " }" + (nl == "\r\n" ? "\r" : ""));
            }
        }
        var bytes = Encoding.UTF8.GetBytes(string.Join('\n', lines));
        return bom ? [0xEF, 0xBB, 0xBF, .. bytes] : bytes;
    }

    private static void ReplaceExisting(List<string> lines, int from, int to, List<KeyValuePair<string, string>> remaining)
    {
        foreach (var v in remaining.ToList())
        {
            var re = new Regex($@"^(?<head>\s*""?{Regex.Escape(v.Key)}""?\s*=\s*)(""(?:[^""\\]|\\.)*""|'[^']*')(?<tail>.*)$");
            for (int i = from; i < to; i++)
            {
                var m = re.Match(lines[i].TrimEnd('\r'));
                if (!m.Success) continue;
                lines[i] = m.Groups["head"].Value + Quote(v.Value) + m.Groups["tail"].Value + (lines[i].EndsWith('\r') ? "\r" : "");
                remaining.Remove(v);
                break;
            }
        }
    }

    /// <summary>The line of the header [a.b.c] naming exactly <paramref name="path"/> (keys bare or quoted); -1 if none.</summary>
    private static int FindTable(List<string> lines, IReadOnlyList<string> path)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            var m = TableHeader().Match(lines[i].TrimEnd('\r'));
            if (m.Success && SplitKey(m.Groups["path"].Value) is { } keys && keys.SequenceEqual(path)) return i;
        }
        return -1;
    }

    private static List<string>? SplitKey(string dotted)
    {
        var keys = new List<string>();
        int i = 0;
        while (i < dotted.Length)
        {
            while (i < dotted.Length && dotted[i] is ' ' or '\t') i++;
            if (i >= dotted.Length) return null;
            if (dotted[i] is '"' or '\'')
            {
                char q = dotted[i];
                int end = dotted.IndexOf(q, i + 1);
                if (end < 0) return null;
                keys.Add(dotted[(i + 1)..end]); // escapes in quoted keys: such a key simply doesn't match
                i = end + 1;
            }
            else
            {
                int end = i;
                while (end < dotted.Length && (char.IsAsciiLetterOrDigit(dotted[end]) || dotted[end] is '_' or '-')) end++;
                if (end == i) return null;
                keys.Add(dotted[i..end]);
                i = end;
            }
            while (i < dotted.Length && dotted[i] is ' ' or '\t') i++;
            if (i < dotted.Length && dotted[i] != '.') return null;
            i++;
        }
        return keys;
    }

    private static int TableEnd(List<string> lines, int header)
    {
        for (int i = header + 1; i < lines.Count; i++)
            if (lines[i].TrimStart().StartsWith('[')) return i;
        return lines.Count;
    }

    private static int LastContentLine(List<string> lines, int header, int end)
    {
        int last = header;
        for (int i = header + 1; i < end; i++)
        {
            var t = lines[i].Trim();
            if (t.Length > 0 && !t.StartsWith('#')) last = i;
        }
        return last;
    }

    private static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                default:
                    if (char.IsControl(c)) sb.Append($"\\u{(int)c:X4}"); else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
